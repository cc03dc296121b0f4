import Testing
@testable import UserContract

@Suite struct FlatJSONScannerTests {
    /// Reads a string token from the start of `bytes` (an opening quote).
    func token(_ bytes: [UInt8]) -> Result<FlatJSONScanner.StringToken, FlatJSONScanner.SyntaxError> {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = FlatJSONScanner(buffer)
            return Result { () throws(FlatJSONScanner.SyntaxError) in try scanner.string() }
        }
    }

    /// Reads `"` + content + `"`.
    func scan(_ content: [UInt8]) -> Result<FlatJSONScanner.StringToken, FlatJSONScanner.SyntaxError> {
        token([UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")])
    }

    @Test func aQuoteEndsTheStringAtEveryPositionAroundWordBoundaries() throws {
        for length in 0..<40 {
            let content = Array(repeating: UInt8(ascii: "a"), count: length)
            let token = try scan(content).get()
            #expect(token.start == 1 && token.end == 1 + length && !token.hasEscapes)
        }
    }

    @Test func escapesAreFoundAtEveryPosition() throws {
        for position in 0..<23 {
            var content = Array(repeating: UInt8(0xC3), count: 24)  // bytes ≥ 0x80 are plain string content
            content.replaceSubrange(position..<(position + 2), with: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            let token = try scan(content).get()
            #expect(token.hasEscapes && token.end == 1 + content.count)
        }
    }

    @Test func controlCharactersAreRejectedAtEveryPosition() {
        for position in 0..<24 {
            for control: UInt8 in [0x00, 0x0A, 0x1F] {
                var content = Array(repeating: UInt8(ascii: " "), count: 24)  // 0x20 is the first allowed byte
                content[position] = control
                guard case .failure(let error) = scan(content) else {
                    Issue.record("control byte \(control) at \(position) was accepted")
                    continue
                }
                #expect(error.offset == 1 + position && error.detail == "control character in string")
            }
        }
    }

    @Test func anUnterminatedStringIsAnError() {
        for length in 0..<20 {
            guard case .failure(let error) = token([UInt8(ascii: "\"")] + Array(repeating: UInt8(ascii: "z"), count: length)) else {
                Issue.record("an unterminated string of \(length) bytes was accepted")
                continue
            }
            #expect(error.detail == "unterminated string")
        }
    }
}
