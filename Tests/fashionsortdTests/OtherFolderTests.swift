import FashionModel
import Foundation
import Results
import TestSupport
import Testing

/// Photos the model takes for none of its classes go to other/, with their own status, counted everywhere.
@Suite struct OtherFolderTests {
    @Test func photosBelowTheStoredOtherThresholdAreFiledIntoOther() throws {
        let root = temporaryDirectory("other-folder")
        // An untrained model is unsure of everything: below 0.99 means every photo is "none of these".
        let model = try Model(contentsOf: smallModel(in: root))
        model.operatingPoint = OperatingPoint(other: 0.99, review: 0.995)
        try model.save(to: "\(root)/model.safetensors")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", "\(root)/model.safetensors"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        #expect(daemon.log.contains("other-below=0.99 review-below=0.995"))
        write(samplePNG(1), to: "\(root)/inbox/hat.png")
        write(samplePNG(2), to: "\(root)/inbox/logo.png")
        #expect(waitUntilFiled(root, count: 2))
        for row in resultRows("\(root)/results") {
            #expect(row["status"] == "other")
            #expect(row["output"] == "\(root)/other/\(row["file"]!)")
            #expect(FileManager.default.fileExists(atPath: row["output"]!))
            #expect(row["class"]?.isEmpty == false)  // the best guess is still recorded
        }
        #expect(filesUnder("\(root)/out").isEmpty && filesUnder("\(root)/review").isEmpty)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        let status = try DaemonStatus.read(from: "\(root)/status.json")
        #expect(status.byStatus["other"] == 2 && status.byClass.isEmpty)
        let metrics = try String(contentsOfFile: "\(root)/metrics.prom", encoding: .utf8)
        #expect(metrics.contains("fashionsort_files_total{instance_name=\"t\",status=\"other\"} 2.0"))
    }

    @Test func aFlagOutranksTheStoredThreshold() throws {
        let root = temporaryDirectory("other-flag")
        let model = try Model(contentsOf: smallModel(in: root))
        model.operatingPoint = OperatingPoint(other: 0.99, review: 0.995)
        try model.save(to: "\(root)/model.safetensors")
        let daemon = try DaemonProcess(
            root: root,
            arguments: ["--model", "\(root)/model.safetensors", "--other-threshold", "0", "--review-threshold", "0"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        write(samplePNG(3), to: "\(root)/inbox/shirt.png")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 1 })
        #expect(resultRows("\(root)/results").first?["status"] == "classified")
        #expect(filesUnder("\(root)/other").isEmpty)
    }

    @Test func anEleventhOutputSendsByItsNoneOfTheseShare() throws {
        let root = temporaryDirectory("other-none-of-these")
        // The new output starts at logit 0: an untrained model gives it a share well above 0.01 for any photo.
        let model = try Model(contentsOf: smallModel(in: root)).withOtherOutput()
        model.operatingPoint = OperatingPoint(other: 0, review: 0, noneOfThese: 0.01)
        try model.save(to: "\(root)/model.safetensors")
        let daemon = try DaemonProcess(root: root, arguments: ["--model", "\(root)/model.safetensors"])
        defer { daemon.signal(SIGKILL) }
        #expect(daemon.wait(for: "ready"))
        #expect(daemon.log.contains("other-from-none-of-these=0.01"))
        write(samplePNG(4), to: "\(root)/inbox/hat.png")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 1 })
        #expect(resultRows("\(root)/results").first?["status"] == "other")
        // A setting outranks the stored share, as the other thresholds do.
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        let again = try DaemonProcess(
            root: root, arguments: ["--model", "\(root)/model.safetensors", "--none-of-these-threshold", "1"])
        defer { again.signal(SIGKILL) }
        #expect(again.wait(for: "ready"))
        write(samplePNG(5), to: "\(root)/inbox/shirt.png")
        #expect(waitUntil(timeout: 20) { resultRows("\(root)/results").count == 2 })
        #expect(resultRows("\(root)/results").filter { $0["status"] == "classified" }.count == 1)
    }
}
