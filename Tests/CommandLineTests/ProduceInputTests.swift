import Foundation
import NIOCore
import Testing
@testable import userstream

/// How `userstream kafka produce` turns standard input into record keys and values.
@Suite struct ProduceInputTests {
    /// Every line of `text`, read through a pipe in chunks of `chunkSize` bytes.
    func lines(of text: String, chunkSize: Int) throws -> [String] {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let bytes = Array(text.utf8)
        try #require(bytes.count < 60_000, "must fit the pipe's buffer: nothing reads while the test writes")
        #expect(write(descriptors[1], bytes, bytes.count) == bytes.count)
        close(descriptors[1])
        var reader = StandardInputLines(fileDescriptor: descriptors[0], chunkSize: chunkSize)
        var out: [String] = []
        while let line = reader.next() { out.append(String(buffer: line)) }
        return out
    }

    @Test(arguments: [1, 7, 64, 1 << 20])
    func linesSurviveChunkBoundaries(chunkSize: Int) throws {
        let expected = (0..<500).map { "key-\($0)\tvalue Zoë \(String(repeating: "x", count: $0 % 37))" }
        #expect(try lines(of: expected.joined(separator: "\n") + "\n", chunkSize: chunkSize) == expected)
    }

    @Test func carriageReturnsEmptyLinesAndAnUnterminatedLastLine() throws {
        #expect(try lines(of: "a\r\n\nb\r\nlast", chunkSize: 3) == ["a", "", "b", "last"])
        #expect(try lines(of: "", chunkSize: 3) == [])
    }

    @Test func aFailedReadEndsTheInputAndIsReported() {
        var reader = StandardInputLines(fileDescriptor: -1)
        #expect(reader.next() == nil)
        #expect(reader.readError == EBADF)
    }

    @Test func keySeparatorIsFoundOnce() {
        func split(_ line: String, _ separator: String) -> Range<Int>? {
            firstRange(of: Array(separator.utf8), in: ByteBuffer(string: line))
        }
        #expect(split("key\tvalue\twith tab", "\t") == 3..<4)
        #expect(split("\tvalue", "\t") == 0..<1)
        #expect(split("key\t", "\t") == 3..<4)
        #expect(split("no separator", "\t") == nil)
        #expect(split("a:b::c", "::") == 3..<5)
        #expect(split("a:", "::") == nil)
        #expect(split("abc", "") == nil)
    }

    @Test func firstRangeCountsFromTheReaderIndex() {
        var buffer = ByteBuffer(string: "skip|key=value")
        buffer.moveReaderIndex(forwardBy: 5)
        #expect(firstRange(of: Array("=".utf8), in: buffer) == 3..<4)
    }
}
