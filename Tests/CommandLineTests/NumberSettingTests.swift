import ArgumentParser
import Foundation
import Testing
@testable import userstream

/// Numbers from flags and `USERSTREAM_*` variables stay within what the pipeline can use.
@Suite(.serialized) struct NumberSettingTests {
    let partitions = NumberSetting<Int>.count("--partitions", variable: "USERSTREAM_TEST_PARTITIONS", to: 10_000)
    let timeout = NumberSetting.seconds("--timeout", variable: "USERSTREAM_TEST_TIMEOUT")

    func message(_ body: () throws -> Any?) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? ValidationError)?.message
        }
    }

    @Test func theFlagWinsThenTheVariableThenTheDefault() throws {
        setenv("USERSTREAM_TEST_PARTITIONS", "7", 1)
        defer { unsetenv("USERSTREAM_TEST_PARTITIONS") }
        #expect(try partitions.resolve(3, default: 1) == 3)
        #expect(try partitions.resolve(nil, default: 1) == 7)
        unsetenv("USERSTREAM_TEST_PARTITIONS")
        #expect(try partitions.resolve(nil, default: 1) == 1)
    }

    @Test(arguments: [0, -1, 10_001, Int.max, Int.min])
    func anIntegerOutOfBoundsNamesTheFlag(value: Int) {
        #expect(message { try partitions.resolve(value) } == "--partitions must be a whole number from 1 to 10000, got \(value)")
    }

    @Test(arguments: [0, -1, .infinity, -.infinity, .nan, 1e300, 31_536_000.5, 0.0009])
    func secondsOutOfBoundsNameTheFlag(value: Double) {
        #expect(message { try timeout.resolve(value) }?.hasPrefix("--timeout must be a number of seconds from 0.001 to 31536000") == true)
    }

    @Test(arguments: ["-1", "0", "1e9", "99999999999999999999", "nan", "three", "٣", "7 partitions"])
    func aBadVariableNamesTheVariable(text: String) {
        setenv("USERSTREAM_TEST_PARTITIONS", text, 1)
        defer { unsetenv("USERSTREAM_TEST_PARTITIONS") }
        #expect(message { try partitions.resolve(nil) } == "USERSTREAM_TEST_PARTITIONS must be a whole number from 1 to 10000, got '\(text)'")
    }

    @Test func anEmptyVariableIsUnset() throws {
        setenv("USERSTREAM_TEST_TIMEOUT", "", 1)
        defer { unsetenv("USERSTREAM_TEST_TIMEOUT") }
        #expect(try timeout.resolve(nil, default: 10) == 10)
    }

    @Test func theLongestDurationFitsEveryClock() {
        let longest = Duration(seconds: timeout.bounds.upperBound)
        #expect(longest == .seconds(31_536_000))
        #expect(Duration(seconds: timeout.bounds.lowerBound) == .milliseconds(1))
    }
}
