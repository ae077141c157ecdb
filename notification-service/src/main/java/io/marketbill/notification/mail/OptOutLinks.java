package io.marketbill.notification.mail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The "no more optional mail" link in every optional mail: the address, signed (HMAC-SHA256 with
 * {@code marketbill.notification.link-secret}), so that only the mail's recipient can opt out with it.
 */
@Component
class OptOutLinks {

    private final MailProperties props;

    OptOutLinks(MailProperties props) {
        if (props.linkSecret() == null || props.linkSecret().length() < 16) {
            throw new IllegalStateException("marketbill.notification.link-secret (NOTIFICATION_LINK_SECRET) must be set, "
                    + "at least 16 characters");
        }
        this.props = props;
    }

    String optOutUrl(String email) {
        String address = email.toLowerCase(Locale.ROOT);
        return props.publicUrl() + "/notifications/opt-out?email=" + URLEncoder.encode(address, StandardCharsets.UTF_8)
                + "&sig=" + sign(address);
    }

    boolean valid(String email, String signature) {
        return email != null && signature != null && MessageDigest.isEqual(
                sign(email.toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8),
                signature.getBytes(StandardCharsets.UTF_8));
    }

    private String sign(String address) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(props.linkSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal(("opt-out|" + address).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
