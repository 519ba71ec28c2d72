import FileSystem
import Foundation
import Inbox
import Logging

/// Files a recorded photo: work/ → the output its row names (or a free variant). A file whose name was not
/// UTF-8 then gets back the name the daemon read in the inbox (the row keeps its %XX text). The output is
/// only ever one of the daemon's own folders, whatever a results file says.
struct Mover {
    let layout: Layout
    let logger: Logger

    func file(_ claim: Claim, recordedOutput: String) throws(FileSystemError) {
        var folder = (recordedOutput as NSString).deletingLastPathComponent
        var name = (recordedOutput as NSString).lastPathComponent
        if !layout.filingFolders.contains(folder) || !FileName.isPlainName(Array(name.utf8)) {
            logger.warning(
                "recorded output is not one of the daemon's folders; filed into rejected/",
                metadata: ["file": "\(claim.original)", "recorded": "\(recordedOutput)"])
            folder = layout.rejected
            name = (claim.original as NSString).lastPathComponent
        }
        let final = try FileMover.move(claim.workPath, into: folder, name: name)
        if let raw = claim.realName { restoreRealName(final, raw: raw) }
        if final != recordedOutput {
            logger.warning(
                "recorded output was taken meanwhile",
                metadata: ["file": "\(claim.original)", "recorded": "\(recordedOutput)", "output": "\(final)"])
        }
    }

    /// Renames a filed file to `raw` (or a free variant) inside its own folder; it keeps its text name
    /// when no variant is free or the folder refuses.
    private func restoreRealName(_ filed: String, raw: [UInt8]) {
        guard let folder = try? Directory(path: (filed as NSString).deletingLastPathComponent) else { return }
        let current = Array((filed as NSString).lastPathComponent.utf8)
        for candidate in FileName.variants(of: raw) where folder.rename(current, to: folder, as: candidate) != EEXIST {
            return
        }
    }
}
