package dev.gatehouse.translate;

/** A Kubernetes status condition as the translator computes it (no timestamps: those belong to the writer). */
public record Condition(String type, String status, String reason, String message) { }
