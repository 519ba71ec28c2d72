import Foundation
import TestSupport

/// Runs the built `fashionsort` with `arguments` (through `wrapper`, a command such as `prlimit … --`, when
/// given); returns its exit status and output.
func fashionsort(
    _ arguments: [String], under wrapper: [String] = []
) throws
    -> (status: Int32, stdout: String, stderr: String)
{
    let process = Process()
    let command = wrapper + [builtProduct("fashionsort")] + arguments
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    // Output goes to files: a pipe that fills up would block a chatty run.
    let dir = temporaryDirectory("cli-output")
    _ = FileManager.default.createFile(atPath: "\(dir)/out", contents: nil)
    _ = FileManager.default.createFile(atPath: "\(dir)/err", contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: "\(dir)/out")
    process.standardError = FileHandle(forWritingAtPath: "\(dir)/err")
    try process.run()
    process.waitUntilExit()
    func read(_ name: String) -> String { (try? String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)) ?? "" }
    return (process.terminationStatus, read("out"), read("err"))
}

/// The repository's `samples/` folder (made by `fashionsort samples`, committed).
let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("samples").path

/// Copies `names` from samples/ into `folder` (created as needed).
func copySamples(_ names: [String], into folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for n in names { try FileManager.default.copyItem(atPath: "\(samples)/\(n)", toPath: "\(folder)/\(n)") }
}
