package dev.gatehouse.edge.testing;

import dev.gatehouse.testing.LeakCheckSelfTest;

/** The leak check is live in this module's tests. */
class LeakCheckWiringTest extends LeakCheckSelfTest {
}
