package dev.gatehouse.translate;

/**
 * Where the control loop's resources come from: YAML files (standalone) or the Kubernetes API (controller mode).
 * Both feed the same translator, compiler and data plane; only reading and noticing changes differ.
 */
public interface ResourceSource extends AutoCloseable {
    /** For log lines: "config /etc/gatehouse", "Kubernetes API https://10.96.0.1/". */
    String describe();

    /**
     * Starts noticing changes, before the first {@link #read}, so that a change made meanwhile is not missed.
     *
     * @param changed called (on any thread) once a burst of changes has settled; the control loop then reads
     * @throws Exception when the source cannot be watched at all (the control loop logs it and goes on)
     */
    void watch(Runnable changed) throws Exception;

    /** The resources as they are now, with the problems found reading them (the loader's result). Blocking. */
    YamlResourceLoader.Result read();

    /**
     * Whether a config that serves nothing, replacing one that serves, is more likely an accident than the intent.
     * True for files (every file deleted); false for the API, where deleting a Gateway is a deliberate act.
     */
    boolean emptyIsAccident();

    @Override
    void close();
}
