import TestSupport
import Testing
import Inbox
@testable import Sorting

@Suite struct AttemptLogTests {
    /// Only a decode that began and never ended is a strike; a batch-mate of a crash has none.
    @Test func strikesCountUnfinishedDecodesOnly() {
        let log = AttemptLog(path: temporaryDirectory("attempts") + "/.attempts")
        log.begin("a"); log.begin("b"); log.end("a")  // the daemon died while decoding b
        log.begin("b")  // and again, after the restart
        #expect(log.strikes() == ["a": 0, "b": 2])
        log.clear()
        #expect(log.strikes().isEmpty)
    }
}
