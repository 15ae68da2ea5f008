package dev.gatehouse.translate.load;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files a config path stands for, as {@code kubectl apply -R -f PATH} reads them: the path itself when it is a
 * file, else every {@code *.yaml}/{@code *.yml} under the folder, subfolders included, in path order. Names
 * starting with "." are skipped at every level: a Kubernetes ConfigMap or Secret volume keeps its files in
 * {@code ..2024_01_01_...} behind a {@code ..data} symlink and links each key from the top, so reading through the
 * top-level links alone reads each file once (and editors' swap files are left alone). Symbolic links are
 * followed; a file reached twice (two links to it) is read once, a link loop is not followed.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** @throws IOException when a folder cannot be read */
    public static List<Path> of(Path fileOrDirectory) throws IOException {
        if (!Files.isDirectory(fileOrDirectory)) {
            return Files.isRegularFile(fileOrDirectory) ? List.of(fileOrDirectory) : List.of();
        }
        return walk(fileOrDirectory).files;
    }

    /** The folders {@link #of} reads files from (the folder itself first): what a watcher must watch. */
    public static List<Path> directories(Path directory) throws IOException {
        return Files.isDirectory(directory) ? walk(directory).directories : List.of();
    }

    public static boolean isYaml(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    public static boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private record Walk(List<Path> files, List<Path> directories) { }

    private static Walk walk(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> directories = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && isHidden(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                directories.add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // a dangling link arrives with the link's own attributes: not a regular file, skipped
                if (attrs.isRegularFile() && !isHidden(file) && isYaml(file) && seen.add(file.toRealPath())) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof FileSystemLoopException || isHidden(file)) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        Comparator<Path> byPath = Comparator.comparing(p -> root.relativize(p).toString());
        files.sort(byPath);
        directories.sort(byPath);
        return new Walk(files, directories);
    }
}
