import Testing
@testable import UserPipeline
