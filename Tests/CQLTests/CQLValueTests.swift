import Testing
@testable import CQL
