package dev.gatehouse.app;

import dev.gatehouse.app.cli.GatehouseCommand;
import dev.gatehouse.app.cli.StartupFailure;
import picocli.CommandLine;

/** Entry point of the jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        configureLogging();
        int code = new CommandLine(new GatehouseCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(StartupFailure.HANDLER).execute(args);
        System.exit(code);
    }

    /** slf4j-simple reads system properties once; set readable defaults unless the user chose otherwise. */
    private static void configureLogging() {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
