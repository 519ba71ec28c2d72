import ServiceLifecycle

/// Timers as sleeps that end early when the service group shuts down.
public enum GracefulSleep {
    /// False when the sleep was cut short by a graceful shutdown or cancellation.
    public static func sleep(seconds: Double) async -> Bool {
        do {
            try await cancelWhenGracefulShutdown {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            }
            return true
        } catch {
            return false
        }
    }
}
