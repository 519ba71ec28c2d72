import Foundation
import Inbox
import TestSupport
import Testing

@Suite struct LayoutTests {
    func layout(inbox: String?) throws -> Layout {
        let root = temporaryDirectory("layout")
        let l = Layout(root: root, instance: "t", inbox: inbox.map { "\(root)/\($0)" })
        try l.create()
        return l
    }

    @Test func defaultInboxIsOutsideTheOutputs() throws {
        let l = try layout(inbox: nil)
        try l.checkNoFeedbackLoop(recursive: false)
        try l.checkNoFeedbackLoop(recursive: true)
    }

    @Test func inboxThatIsAClassFolderIsRefused() throws {
        let l = try layout(inbox: "out/bag")
        #expect { try l.checkNoFeedbackLoop(recursive: false) } throws: {
            "\($0)".contains("\(l.root)/out/bag: is also where the daemon puts files")
        }
    }

    @Test func stateDirectoryAsInboxIsRefusedOnlyWhenRecursive() throws {
        let l = try layout(inbox: ".")
        try l.checkNoFeedbackLoop(recursive: false)  // out/, work/ … are subfolders, not watched
        #expect { try l.checkNoFeedbackLoop(recursive: true) } throws: {
            "\($0)".contains("--recursive would take them in again")
        }
    }

    @Test func aLinkToAnOutputFolderIsSeenThrough() throws {
        let root = temporaryDirectory("layout")
        let probe = Layout(root: root, instance: "t")
        try probe.create()
        symlink("\(root)/rejected", "\(root)/drop")
        #expect {
            try Layout(root: root, instance: "t", inbox: "\(root)/drop").checkNoFeedbackLoop(recursive: false)
        } throws: {
            "\($0)".contains("is also where the daemon puts files (\(root)/rejected)")
        }
    }
}
