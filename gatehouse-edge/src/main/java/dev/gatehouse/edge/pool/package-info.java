/** The nodes behind the edge, where they come from, their health, and the choice of one per connection. */
package dev.gatehouse.edge.pool;
