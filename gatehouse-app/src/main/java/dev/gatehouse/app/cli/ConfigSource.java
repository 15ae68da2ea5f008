package dev.gatehouse.app.cli;

import dev.gatehouse.translate.TranslatorOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How every command names its config, so that one habit works everywhere: {@code -c/--config PATH} or a positional
 * {@code PATH} (either), and the controllerName whose GatewayClasses are served.
 */
final class ConfigSource {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "PATH",
            description = "A YAML file or a folder of YAML files, subfolders included (or give PATH without -c).")
    Path option;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "The same as --config PATH.")
    Path positional;

    @Option(names = "--controller-name", defaultValue = TranslatorOptions.DEFAULT_CONTROLLER_NAME, paramLabel = "NAME",
            description = "Serve the GatewayClasses whose spec.controllerName is this (default: ${DEFAULT-VALUE}).")
    String controllerName;

    /** @return the path given, or {@code null}; @throws ParameterException (usage error, exit 2) for two different ones */
    Path path() {
        if (option != null && positional != null && !option.equals(positional)) {
            throw new ParameterException(spec.commandLine(),
                    "two config paths given (" + option + " and " + positional + "): give one, as PATH or -c PATH");
        }
        return option != null ? option : positional;
    }

    /** @return the path, which exists; @throws ParameterException (usage error, exit 2) when none is given or it does not exist */
    Path requiredPath() {
        Path p = path();
        if (p == null) {
            throw new ParameterException(spec.commandLine(),
                    "no config given: gatehouse " + spec.name() + " PATH (or -c PATH), a YAML file or a folder");
        }
        if (!Files.exists(p)) {
            throw new ParameterException(spec.commandLine(), "config path " + p + " does not exist");
        }
        return p;
    }

    TranslatorOptions translatorOptions() {
        return new TranslatorOptions(controllerName);
    }
}
