import Testing
@testable import Inbox

@Suite struct IgnoreRulesTests {
    @Test(arguments: [".hidden.jpg", "photo.jpg.part", "x.TMP", "a.crdownload", "~$report.png", "backup~", ""])
    func ignored(_ name: String) { #expect(IgnoreRules.ignores(name)) }

    @Test(arguments: ["photo.jpg", "shirt 2.PNG", "part.png", "tmp.jpeg", "noextension"])
    func taken(_ name: String) { #expect(!IgnoreRules.ignores(name)) }
}
