import Testing
@testable import Results

@Suite struct CSVTests {
    @Test func quotesWhatNeedsQuoting() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
    }

    @Test func neutralisesFormulas() {
        #expect(CSV.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSV.field("+1+2") == "'+1+2")
        #expect(CSV.field("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSV.field("-shirt.jpg") == "'-shirt.jpg")
        #expect(CSV.field("\tx") == "'\tx")
        #expect(CSV.field("-0.5") == "-0.5")  // a number stays a number
    }

    @Test func parsesWhatItWrites() {
        let rows = [["a", "b,c", "d\"e"], ["", "x\ny", "=1"]]
        let text = rows.map { CSV.line($0) }.joined()
        #expect(CSV.parse(text) == [["a", "b,c", "d\"e"], ["", "x\ny", "'=1"]])
    }
}
