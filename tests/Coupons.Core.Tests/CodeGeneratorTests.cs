namespace Coupons.Core.Tests;

public class CodeGeneratorTests
{
    [Fact]
    public void Numeric_codes_use_only_digits_and_have_the_asked_length()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = CodeGenerator.Generate(alphaNumeric: false, length: 12);
            Assert.Equal(12, code.Length);
            Assert.All(code, c => Assert.Contains(c, CodeGenerator.Digits));
        }
    }

    [Fact]
    public void Alphanumeric_codes_use_only_the_alphanumeric_alphabet()
    {
        for (var i = 0; i < 200; i++)
        {
            var code = CodeGenerator.Generate(alphaNumeric: true, length: 8);
            Assert.Equal(8, code.Length);
            Assert.All(code, c => Assert.Contains(c, CodeGenerator.AlphaNumeric));
        }
    }

    [Fact]
    public void Alphanumeric_codes_have_no_look_alike_characters()
    {
        var all = string.Concat(Enumerable.Range(0, 500).Select(_ => CodeGenerator.Generate(true, 16)));
        Assert.DoesNotContain('0', all);
        Assert.DoesNotContain('O', all);
        Assert.DoesNotContain('1', all);
        Assert.DoesNotContain('I', all);
        Assert.DoesNotContain('L', all);
    }

    [Fact]
    public void Alphanumeric_codes_use_letters_as_well_as_digits()
    {
        var all = string.Concat(Enumerable.Range(0, 100).Select(_ => CodeGenerator.Generate(true, 16)));
        Assert.Contains(all, char.IsLetter);
        Assert.Contains(all, char.IsDigit);
    }

    [Fact]
    public void A_thousand_generated_codes_are_distinct()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => CodeGenerator.Generate(true, 10)).ToList();
        Assert.Equal(1000, codes.Distinct().Count());
    }

    [Fact]
    public void Generating_a_code_of_no_length_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CodeGenerator.Generate(false, 0));
    }

    [Theory]
    [InlineData(false, 4, 100, false)]   // 10^4 codes, exactly 100 × 100
    [InlineData(false, 4, 101, true)]
    [InlineData(false, 6, -1, false)]    // unlimited needs 10^6
    [InlineData(false, 5, -1, true)]
    [InlineData(true, 4, -1, true)]      // 31^4 = 923,521 < 10^6
    [InlineData(true, 5, -1, false)]
    [InlineData(false, 3, 1, true)]      // too short whatever maxCreate
    [InlineData(false, 33, 1, true)]     // too long
    [InlineData(false, 32, 1, false)]
    [InlineData(true, 10, 0, false)]
    public void Code_space_must_be_a_hundred_times_max_create(bool alphaNumeric, int length, int maxCreate, bool tooSmall)
    {
        Assert.Equal(tooSmall, CodeGenerator.CodeSpaceTooSmall(alphaNumeric, length, maxCreate));
    }

    [Fact]
    public void Codes_are_normalised_to_trimmed_upper_case()
    {
        Assert.Equal("AB12CD", CodeGenerator.Normalize("  ab12Cd "));
    }
}
