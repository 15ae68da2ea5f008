package dev.gatehouse.app.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.gatehouse.proxy.observe.ExchangeObserver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering docs/architecture.md describes, checked on the compiled classes of every module (the app sees
 * them all on its class path). Maven already keeps fabric8 out of the data plane's modules; these rules also
 * catch what Maven cannot: package cycles inside a module, and calls the hot path must never make.
 */
final class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.gatehouse");
    }

    /**
     * One package per concern only works if concerns do not loop back on each other: the modules' top-level
     * packages, and the app's concerns (cli, control, admin, doctor, explain, observe, demo). Inside the data
     * plane, route and filter know each other by design (a compiled route holds its filters, a filter reads the
     * exchange's route), as do the translator and its validators (which report through its Diagnostic).
     */
    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.gatehouse.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("dev.gatehouse.app.(*)..").should().beFreeOfCycles().check(classes);
    }

    /** The data plane sees only the compiled snapshot: never the Kubernetes model, the translator or the CLI. */
    @Test
    void dataPlaneNeverSeesTheControlPlane() {
        noClasses().that().resideInAnyPackage("dev.gatehouse.proxy..", "dev.gatehouse.routing..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "dev.gatehouse.translate..",
                        "dev.gatehouse.app..")
                .check(classes);
    }

    /** The translator is pure: Gateway API resources in, IR and statuses out, no sockets. */
    @Test
    void translatorIsPure() {
        noClasses().that().resideInAPackage("dev.gatehouse.translate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.gatehouse.proxy..", "dev.gatehouse.routing..",
                        "dev.gatehouse.app..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.gatehouse.ir..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.netty..")
                .check(classes);
    }

    /** The compiled snapshot knows nothing of sockets: routing never reaches into the Netty data plane. */
    @Test
    void routingNeverSeesTheServer() {
        noClasses().that().resideInAPackage("dev.gatehouse.routing..")
                .should().dependOnClassesThat().resideInAPackage("dev.gatehouse.proxy..")
                .check(classes);
    }

    /** Controller mode feeds the translator and never touches the data plane: the app wires the two. */
    @Test
    void kubernetesModeNeverSeesTheDataPlane() {
        noClasses().that().resideInAPackage("dev.gatehouse.kubernetes..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "dev.gatehouse.proxy..", "dev.gatehouse.routing..",
                        "dev.gatehouse.app..")
                .check(classes);
    }

    /**
     * Edge mode is a data plane of its own beside the gateway's: the app wires it, and only its discovery talks to
     * the Kubernetes API.
     */
    @Test
    void edgeStandsApart() {
        noClasses().that().resideInAPackage("dev.gatehouse.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse.app..", "dev.gatehouse.translate..",
                        "dev.gatehouse.kubernetes..")
                .check(classes);
        noClasses().that().resideInAPackage("dev.gatehouse.edge..")
                .and().resideOutsideOfPackage("dev.gatehouse.edge.discovery..")
                .should().dependOnClassesThat().resideInAPackage("io.fabric8..")
                .check(classes);
    }

    /**
     * Route regexes run on attacker input on an event loop, so they must be RE2 (linear time): no
     * java.util.regex in the data plane, where a backtracking pattern could hold a loop for seconds, and no
     * String methods that compile one per call (a one-character {@code split} takes the JDK's fast path and
     * compiles nothing, so it is allowed).
     */
    @Test
    void dataPlaneUsesNoBacktrackingRegex() {
        noClasses().that().resideInAnyPackage("dev.gatehouse.proxy..", "dev.gatehouse.routing..")
                .should().dependOnClassesThat().resideInAPackage("java.util.regex..")
                .orShould().callMethod(String.class, "matches", String.class)
                .orShould().callMethod(String.class, "replaceAll", String.class, String.class)
                .orShould().callMethod(String.class, "replaceFirst", String.class, String.class)
                .check(classes);
    }

    /**
     * The proxy writes its forwarding lines outside the upstream head's header map unless an observer reads that
     * head, which an observer says with {@code readsUpstreamRequest()} (its default says no, and the proxy asks
     * it per request, so it cannot be worked out from the class there). An observer that implements
     * {@code onUpstreamRequest} and forgets to say so would see a map without those lines.
     */
    @Test
    void anObserverOfTheUpstreamHeadSaysItReadsIt() {
        List<String> reading = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!c.isInterface() && c.isAssignableTo(ExchangeObserver.class)
                    && c.getMethods().stream().anyMatch(m -> m.getName().equals("onUpstreamRequest"))) {
                reading.add(c.getName());
                assertThat(c.getMethods()).as("%s implements onUpstreamRequest", c.getName())
                        .anyMatch(m -> m.getName().equals("readsUpstreamRequest"));
            }
        }
        assertThat(reading).as("observers of the upstream head").isNotEmpty();
    }
}
