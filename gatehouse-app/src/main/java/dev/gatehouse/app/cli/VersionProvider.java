package dev.gatehouse.app.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version}: the Maven project version, written into {@code gatehouse-version.properties} at build time. */
final class VersionProvider implements IVersionProvider {
    static final String RESOURCE = "/gatehouse-version.properties";

    @Override
    public String[] getVersion() throws IOException {
        return new String[] {"gatehouse " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
    }

    static String version() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "(unknown version: " + RESOURCE + " is missing from the build)";
            }
            p.load(in);
        }
        return p.getProperty("version");
    }
}
