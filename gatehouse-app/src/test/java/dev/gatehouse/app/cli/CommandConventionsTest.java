package dev.gatehouse.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One way to name things across commands: -c/--config or PATH everywhere, --version, described options, exit codes. */
class CommandConventionsTest {
    static final String MATCHED = "src/test/resources/explain/matched.yaml";

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private int run(String... args) {
        return console.run(args);
    }

    private static CommandSpec spec(String command) {
        return new CommandLine(new GatehouseCommand()).getSubcommands().get(command).getCommandSpec();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "validate", "explain", "doctor", "demo"})
    void everyCommandTakesTheConfigAsOptionOrPositionalAndDocumentsItsExitCodes(String command) {
        CommandSpec spec = spec(command);
        assertThat(spec.findOption("-c")).isNotNull();
        assertThat(spec.findOption("--config")).isNotNull();
        assertThat(spec.positionalParameters()).singleElement().satisfies(p -> assertThat(p.paramLabel()).isEqualTo("PATH"));
        assertThat(spec.findOption("--controller-name")).isNotNull();
        assertThat(spec.usageMessage().exitCodeList()).containsKeys("0", "2");
    }

    @Test
    void everyOptionAndParameterOfEveryCommandHasADescription() {
        List<String> undescribed = new ArrayList<>();
        CommandLine top = new CommandLine(new GatehouseCommand());
        List<CommandSpec> all = new ArrayList<>(List.of(top.getCommandSpec()));
        top.getSubcommands().values().forEach(c -> all.add(c.getCommandSpec()));
        for (CommandSpec c : all) {
            for (ArgSpec a : c.args()) {
                if (a.description().length == 0 || a.description()[0].isBlank()) {
                    undescribed.add(c.qualifiedName() + " " + (a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName()
                            : a.paramLabel()));
                }
            }
        }
        assertThat(undescribed).isEmpty();
    }

    @Test
    void validateTakesThePathEitherWay() {
        assertThat(run("validate", MATCHED)).as(console.out()).isZero();
        assertThat(run("validate", "-c", MATCHED)).as(console.out()).isZero();
        assertThat(run("validate", "--config", MATCHED, MATCHED)).as(console.out()).isZero();
        assertThat(run("validate", "--config", MATCHED, "elsewhere.yaml")).isEqualTo(2);
        assertThat(console.err()).contains("two config paths given");
    }

    @Test
    void explainAndDoctorTakeAPositionalPath() {
        assertThat(run("explain", MATCHED, "--url", "http://shop.example.com:8080/api/items", "-H", "X-Env: prod"))
                .as(console.err()).isZero();
        assertThat(run("doctor", "-c", MATCHED)).as(console.out()).isZero();
        assertThat(console.out()).contains("no problems found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "validate", "explain"})
    void aMissingConfigIsAUsageErrorThatSaysHowToGiveOne(String command) {
        assertThat(command.equals("explain") ? run(command, "--url", "http://x/") : run(command)).isEqualTo(2);
        assertThat(console.err()).contains("no config given: gatehouse " + command + " PATH (or -c PATH)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "validate", "doctor", "demo"})
    void aConfigPathThatDoesNotExistIsAUsageError(String command) {
        assertThat(run(command, "no/such/dir")).isEqualTo(2);
        assertThat(console.err()).contains("config path no/such/dir does not exist");
    }

    @Test
    void versionPrintsTheProjectVersion() {
        assertThat(run("--version")).isZero();
        assertThat(run("validate", "--version")).isZero();
        assertThat(console.out()).containsPattern("(?m)^gatehouse \\d+\\.\\d+\\.\\d+\\S*$");
        assertThat(console.out().lines().filter(l -> l.startsWith("gatehouse ")).distinct()).hasSize(1);
    }

    @Test
    void helpListsExitCodes() {
        assertThat(run("validate", "--help")).isZero();
        assertThat(console.out()).contains("Exit codes:", "3   the config loads but some resource reports a problem");
    }
}
