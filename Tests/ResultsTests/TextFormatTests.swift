import Foundation
import Testing
@testable import Results

@Suite struct TextFormatTests {
    /// Same text as `%.Nf` for the values rows hold, away from exact ties
    /// (where printf rounds the binary value half to even), except that a
    /// negative value rounding to zero prints "0", not printf's "-0".
    @Test func fixedMatchesPrintf() {
        var seed: UInt64 = 3
        for i in 0..<20_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(seed >> 11) / Double(1 << 53)
            let x = i % 4 == 0 ? unit : (i % 4 == 1 ? unit * 5000 : (i % 4 == 2 ? -unit * 3 : Double(i % 7)))
            for places in [0, 1, 3, 4] {
                let scaled = abs(x) * pow(10, Double(places))
                if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-6 || (x < 0 && scaled < 0.5) { continue }
                #expect(
                    TextFormat.fixed(x, places: places) == String(format: "%.\(places)f", x),
                    "\(x) with \(places) places")
            }
        }
        #expect(TextFormat.fixed(-0.00001, places: 3) == "0.000")
        #expect(TextFormat.fixed(.nan, places: 2) == "nan")
    }
}
