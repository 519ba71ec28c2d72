import NeuralNet
import Testing
@testable import FashionModel
@testable import Training

@Suite struct EvaluationTests {
    /// Hand-checkable: 4 samples, classes 0 and 1 confused once.
    @Test func reportMatchesHandComputation() {
        func oneHot(_ c: Int) -> [Float] { (0..<10).map { $0 == c ? 0.9 : 0.1 / 9 } }
        let p = Tensor(shape: [4, 10], data: oneHot(0) + oneHot(0) + oneHot(1) + oneHot(1))
        let e = Evaluation(probabilities: p, labels: [0, 1, 1, 1])
        #expect(e.accuracy == 0.75)
        #expect(e.confusion[1][0] == 1 && e.confusion[1][1] == 2 && e.confusion[0][0] == 1)
        #expect(e.classes[0].precision == 0.5 && e.classes[0].recall == 1)
        #expect(e.classes[1].precision == 1 && abs(e.classes[1].recall - 2.0 / 3) < 1e-12)
        #expect(e.classes[1].support == 3)
        #expect(e.mostConfused.first?.count == 1 && e.mostConfused.first?.actual == "Trouser")
    }
}
