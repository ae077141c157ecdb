package io.marketbill.contracts;

/** The marketplaces a subscription can come from; {@link #id()} is the prefix of subscription ids. */
public enum Marketplace {
    ALIYUN("aliyun"),
    AWS("aws");

    private final String id;

    Marketplace(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Marketplace fromId(String id) {
        for (Marketplace m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown marketplace: " + id);
    }
}
