package io.floe.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of {@code core} form a directed acyclic graph: a package's classes refer (by import
 * or fully qualified name, comments not counted) only to packages below it, so each layer can be
 * read, tested and replaced without the ones above it.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/io/floe/core");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+io\\.floe\\.core\\.([a-z_][a-z0-9_]*)\\s*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.floe\\.core\\.([a-z_][a-z0-9_]*)\\b");

    @Test
    void corePackagesHaveNoCycle() throws IOException {
        Map<String, Set<String>> graph = packageGraph(SOURCES);
        assertTrue(graph.size() > 5, "expected core's packages under " + SOURCES.toAbsolutePath() + ", found " + graph.keySet());
        Optional<List<String>> cycle = findCycle(graph);
        assertFalse(cycle.isPresent(), () -> "core has a package cycle: " + String.join(" -> ", cycle.get())
                + "\nfull graph: " + graph);
    }

    @Test
    void findsACycleWhenThereIsOne() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a"));
        graph.put("d", Set.of("a"));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(graph).orElseThrow());
        graph.put("c", Set.of());
        assertFalse(findCycle(graph).isPresent());
    }

    @Test
    void referencesInCommentsAndStringsDoNotCount() {
        String source = "package io.floe.core.a;\n"
                + "import io.floe.core.b.B; // io.floe.core.c.C\n"
                + "/** {@link io.floe.core.d.D} */\n"
                + "class A { String s = \"io.floe.core.e.E\"; Object o = io.floe.core.f.F.of(); }\n";
        assertEquals(Set.of("b", "f"), references(stripCommentsAndStrings(source)));
    }

    /** package -> the other core packages its main sources refer to. */
    static Map<String, Set<String>> packageGraph(Path root) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path file : files) {
            String code = stripCommentsAndStrings(Files.readString(file, StandardCharsets.UTF_8));
            Matcher m = PACKAGE.matcher(code);
            if (!m.find()) {
                continue; // io.floe.core itself, if it ever holds classes, sits above every package
            }
            String pkg = m.group(1);
            Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (String ref : references(code)) {
                if (!ref.equals(pkg)) {
                    deps.add(ref);
                }
            }
        }
        return graph;
    }

    private static Set<String> references(String code) {
        Set<String> refs = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            refs.add(m.group(1));
        }
        refs.remove(packageOf(code));
        return refs;
    }

    private static String packageOf(String code) {
        Matcher m = PACKAGE.matcher(code);
        return m.find() ? m.group(1) : "";
    }

    /** The source with comments, string, text-block and char literals blanked (line breaks kept). */
    static String stripCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                s.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                i = end;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end + 3;
                s.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
                out.append("\"\"");
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(c).append(c);
                i = Math.min(j + 1, s.length());
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** A cycle as {@code [p, q, ..., p]}, or empty when the graph is acyclic. */
    static Optional<List<String>> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new HashMap<>(); // absent: unvisited, 1: on the stack, 2: done
        for (String start : new TreeSet<>(graph.keySet())) {
            Deque<String> path = new ArrayDeque<>();
            Optional<List<String>> cycle = visit(start, graph, state, path);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
            Deque<String> path) {
        Integer st = state.get(node);
        if (st != null && st == 2) {
            return Optional.empty();
        }
        if (st != null && st == 1) {
            List<String> onStack = new ArrayList<>(path);
            List<String> cycle = new ArrayList<>(onStack.subList(onStack.indexOf(node), onStack.size()));
            cycle.add(node);
            return Optional.of(cycle);
        }
        state.put(node, 1);
        path.addLast(node);
        for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
            Optional<List<String>> cycle = visit(next, graph, state, path);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        path.removeLast();
        state.put(node, 2);
        return Optional.empty();
    }
}
