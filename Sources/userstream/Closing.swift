/// Runs `body`, then `close`, whether `body` returned or threw: what `defer` would do if it
/// could await. The body's error comes first; the close's only when the body succeeded.
func closing<T>(_ close: () async throws -> Void, after body: () async throws -> T) async throws -> T {
    let value: T
    do {
        value = try await body()
    } catch {
        try? await close()
        throw error
    }
    try await close()
    return value
}
