/** The picocli commands: run, validate, demo, echo. */
package dev.gatehouse.app.cli;
