"""The audit export's adapters: its folder of files (`files`), the office's audit key (`key`),
Ed25519 signing (`ed25519`) and the verifier's bounded-memory version map (`spilling_versions`)."""
