package dev.gatehouse.translate;

/** Gateway API resources in, IR snapshot + statuses out. Pure and thread-safe. */
public final class Translator {
    private final TranslatorOptions options;

    public Translator(TranslatorOptions options) {
        this.options = options;
    }

    /**
     * @param generation stamped into the snapshot
     */
    public Translation translate(ResourceSet resources, long generation) {
        throw new UnsupportedOperationException("TODO");
    }
}
