package dev.gatehouse.app.cli;

import picocli.CommandLine.IExecutionExceptionHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * {@code run} or {@code demo} cannot start for a reason the user can fix (a port in use, a bad flag value, a file
 * that cannot be written): one line on standard error naming the port, value or path and the flag that changes
 * it, no stack trace, exit code {@value #EXIT_CODE} (as for a config path that does not exist).
 */
public final class StartupFailure extends RuntimeException {
    public static final int EXIT_CODE = 2;

    /** picocli: prints a StartupFailure as its line; anything else is left to picocli (a bug: a stack trace). */
    public static final IExecutionExceptionHandler HANDLER = (e, cmd, parsed) -> {
        if (e instanceof StartupFailure failure) {
            cmd.getErr().println("gatehouse: " + failure.getMessage());
            return EXIT_CODE;
        }
        throw e;
    };

    private StartupFailure(String message) {
        super(message, null, false, false);
    }

    static StartupFailure adminPortInUse(InetSocketAddress address) {
        return new StartupFailure("admin port " + hostPort(address) + " is already in use (is another gatehouse "
                + "running?); move it with --admin " + address.getHostString() + ":PORT or turn it off with --admin off");
    }

    static StartupFailure badValue(String flag, String problem) {
        return new StartupFailure(flag + ": " + problem);
    }

    static StartupFailure accessLogNotWritable(String path, IOException e) {
        return new StartupFailure("cannot write the access log to " + path + ": " + reason(e)
                + "; give --access-log a writable FILE, or stdout, or off");
    }

    static StartupFailure kubernetesUnreachable(String what, Exception e) {
        Throwable cause = e; // fabric8 wraps the reason ("Connection refused", "forbidden") in generic layers
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return new StartupFailure("cannot watch " + what + ": " + cause.getMessage() + " (check --kubeconfig, or "
                + "the service account's RBAC in a cluster)");
    }

    /** The demo's fixed ports, each named with what it is, e.g. "127.0.0.1:3001 (echo-v1 backend)". */
    static StartupFailure demoPortsInUse(String ports) {
        return new StartupFailure("demo port(s) already in use: " + ports + " (is another gatehouse demo running? "
                + "stop it first; the admin port moves with --admin 127.0.0.1:PORT or --admin off)");
    }

    static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "its folder does not exist";
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return exists.getFile() + " is not a folder"; // from creating the missing folders on the way
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage();
    }
}
