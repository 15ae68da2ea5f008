package dev.gatehouse.edge.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class NodesFileSourceTest {
    @TempDir
    Path dir;

    @Test
    void readsAddressesAndNamedAddressesSkippingComments() throws Exception {
        Path f = dir.resolve("nodes");
        Files.writeString(f, "# the cluster\n10.0.0.11\nnode-b 10.0.0.12  # rack 2\n\n");
        assertThat(NodesFileSource.parse(f)).containsExactly(new EdgeNode("10.0.0.11", "10.0.0.11"),
                new EdgeNode("node-b", "10.0.0.12"));
    }

    @Test
    void aMalformedLineIsNamed() throws Exception {
        Path f = dir.resolve("nodes");
        Files.writeString(f, "10.0.0.11\na b c\n");
        assertThatThrownBy(() -> NodesFileSource.parse(f)).hasMessageContaining("line 2");
    }

    @Test
    void followsTheFileReplacedByRenameAndKeepsTheNodesWhenItBreaks() throws Exception {
        Path f = dir.resolve("nodes");
        Files.writeString(f, "10.0.0.11\n");
        List<NodeSet> seen = new CopyOnWriteArrayList<>();
        try (NodesFileSource source = new NodesFileSource(f, Map.of(80, 30080))) {
            source.start(seen::add);
            assertThat(seen).hasSize(1);
            Path tmp = dir.resolve("nodes.tmp");
            Files.writeString(tmp, "10.0.0.11\n10.0.0.12\n");
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 2);
            assertThat(seen.get(1).nodes()).extracting(EdgeNode::address).containsExactly("10.0.0.11", "10.0.0.12");
            assertThat(seen.get(1).nodePorts()).containsEntry(80, 30080);

            Files.writeString(f, "a b c\n");
            source.reload();
            Files.writeString(f, "10.0.0.11\n10.0.0.12\n");
            source.reload(); // SIGHUP with nothing changed: nothing passed on
            Thread.sleep(300);
            assertThat(seen).hasSize(2);
        }
    }
}
