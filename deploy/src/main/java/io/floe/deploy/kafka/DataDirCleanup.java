package io.floe.deploy.kafka;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletes a broker's directory once Kafka has stopped. Only call it after a shutdown that
 * finished: deleting files under a live broker makes Kafka fail its metadata log dir, which halts
 * the JVM.
 */
final class DataDirCleanup {
    private static final int ATTEMPTS = 5;

    private DataDirCleanup() {
    }

    /** Deletes {@code root} and everything under it; reports on stderr what it could not delete. */
    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        // a straggling Kafka thread may still create files while we delete: retry a few times
        for (int attempt = 0; attempt < ATTEMPTS && Files.exists(root); attempt++) {
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                        if (exc instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw exc;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                        Files.deleteIfExists(dir);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                KRaftServerLifecycle.sleep(100);
            }
        }
        if (Files.exists(root)) {
            System.err.println("[floe] could not fully delete " + root);
        }
    }
}
