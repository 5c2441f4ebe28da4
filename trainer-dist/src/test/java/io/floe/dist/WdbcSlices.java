package io.floe.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits {@code data/wdbc/breast_cancer.csv} (scikit-learn's layout: a first line
 * {@code rows,features,class names...}, then rows) into one file per site in the same layout, row
 * {@code r} going to site {@code r mod n}: each site's local CSV, as its trainer's {@code --data}.
 */
final class WdbcSlices {
    private WdbcSlices() {
    }

    /** Writes {@code site-0.csv} ... {@code site-(n-1).csv} under {@code dir} and returns their paths. */
    static List<Path> write(Path wdbc, int sites, Path dir) throws IOException {
        List<String> lines = Files.readAllLines(wdbc, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",", 3);
        List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            List<String> slice = new ArrayList<>();
            for (int r = s; r < rows.size(); r += sites) {
                slice.add(rows.get(r));
            }
            List<String> file = new ArrayList<>();
            file.add(slice.size() + "," + header[1] + "," + header[2]);
            file.addAll(slice);
            Path p = dir.resolve("site-" + s + ".csv");
            Files.write(p, file, StandardCharsets.UTF_8);
            out.add(p);
        }
        return out;
    }
}
