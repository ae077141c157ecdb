package io.marketbill.notification.mail;

import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.search.MessageIDTerm;
import java.util.Properties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * An archive mailbox that gets a blind copy of every mail ({@code marketbill.notification.archive.*}), as
 * many vendors keep for compliance. It also answers the one question SMTP cannot: did the server take a mail
 * whose send was cut off? The copy is delivered in the same SMTP transaction as the mail itself, so finding
 * its Message-ID in the archive (over IMAP) means the mail went out.
 */
@Component
class MailArchive {

    private final InternetAddress address;
    private final String imapHost;
    private final int imapPort;
    private final String user;
    private final String password;

    MailArchive(@Value("${marketbill.notification.archive.address:}") String address,
                @Value("${marketbill.notification.archive.imap-host:}") String imapHost,
                @Value("${marketbill.notification.archive.imap-port:993}") int imapPort,
                @Value("${marketbill.notification.archive.user:}") String user,
                @Value("${marketbill.notification.archive.password:}") String password) throws Exception {
        this.address = address.isBlank() ? null : new InternetAddress(address, true);
        this.imapHost = imapHost;
        this.imapPort = imapPort;
        this.user = user.isBlank() ? address : user;
        this.password = password;
    }

    InternetAddress address() {
        return address;
    }

    /** Whether the archive holds the mail: true, false, or null when there is no archive or it cannot be read. */
    Boolean contains(String messageId) {
        if (address == null || imapHost.isBlank()) {
            return address == null ? Boolean.FALSE : null;
        }
        Properties p = new Properties();
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        try (Store store = Session.getInstance(p).getStore(imapPort == 993 ? "imaps" : "imap")) {
            store.connect(imapHost, imapPort, user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                return inbox.search(new MessageIDTerm(messageId)).length > 0;
            } finally {
                inbox.close(false);
            }
        } catch (Exception e) {
            return null;
        }
    }
}
