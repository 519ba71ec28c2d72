import Testing
@testable import FashionModel

@Suite struct ModelCheckTests {
    @Test func aModelWithZeroWeightsIsRefusedAndATrainedOneIsNot() throws {
        #expect(Model(architecture: .seed, seed: nil).sanityProblem()?.contains("same output") == true)
        #expect(Model(architecture: .slim, seed: 3).sanityProblem() == nil)
        #expect(try Model(contentsOf: Model.defaultPath).sanityProblem() == nil)
    }
}
