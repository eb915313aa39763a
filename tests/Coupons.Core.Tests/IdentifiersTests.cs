namespace Coupons.Core.Tests;

public class IdentifiersTests
{
    [Theory]
    [InlineData("+44 7700 900001", null)]
    [InlineData("+44 (0)7700 900-001", null)]
    [InlineData("0044 7700 900001", null)]
    [InlineData("447700900001", null)]
    [InlineData("447700900001", "GB")]
    [InlineData("07700 900001", "GB")]
    [InlineData("07700900001", "gb")]
    [InlineData("7700 900001", "GB")]
    [InlineData("+447700900001", "US")]
    [InlineData("447700900001", "IN")]
    public void The_forms_a_till_types_for_one_uk_mobile_are_its_e164_digits(string typed, string? country)
    {
        Assert.Equal("447700900001", Identifiers.Mobile(typed, country));
    }

    [Fact]
    public void A_national_form_is_read_in_the_default_country()
    {
        Assert.Equal("919800000001", Identifiers.Mobile("098000 00001", "IN"));
        Assert.Equal("12025550123", Identifiers.Mobile("(202) 555-0123", "US"));
    }

    [Theory]
    [InlineData("910001")]
    [InlineData("11223569865")]
    [InlineData("07700900001")]
    [InlineData("000")]
    [InlineData("000000")]
    public void Digits_valid_in_no_reading_are_kept_as_typed_so_stored_numbers_are_still_found(string digits)
    {
        Assert.Equal(digits, Identifiers.Mobile(digits, null));
    }

    [Theory]
    [InlineData("call me")]
    [InlineData("+")]
    [InlineData("+44 7700 9000O1")]
    [InlineData("1234567890123456")]
    [InlineData("447700900001+")]
    [InlineData("+0000")]
    public void What_cannot_be_a_phone_number_is_null(string typed)
    {
        Assert.Null(Identifiers.Mobile(typed, "GB"));
    }

    [Fact]
    public void Emails_are_trimmed_and_lower_cased()
    {
        Assert.Equal("ada@example.com", Identifiers.Email("  Ada@Example.COM "));
        Assert.Null(Identifiers.Email(" "));
    }

    [Fact]
    public void Normalise_reads_only_the_identifier_used_and_refuses_an_unreadable_mobile_with_721()
    {
        var byId = new CustomerRef(Mobile: "nonsense", Id: 5);
        Assert.Equal((byId, (Outcome?)null), Identifiers.Normalise(byId, "GB"));
        Assert.Equal("447700900001", Identifiers.Normalise(new CustomerRef(Mobile: "07700 900001"), "GB").Who.Mobile);
        Assert.Equal("ada@example.com", Identifiers.Normalise(new CustomerRef(Email: "ADA@example.com"), null).Who.Email);
        var (_, refusal) = Identifiers.Normalise(new CustomerRef(Mobile: "call me"), "GB");
        Assert.Equal(Status.InvalidCustomer, refusal!.Value.Code);
        Assert.Contains("mobile 'call me'", refusal.Value.Message);
    }

    [Theory]
    [InlineData("GB", true)]
    [InlineData("in", true)]
    [InlineData("XX", false)]
    [InlineData("GBR", false)]
    [InlineData(null, false)]
    public void Known_countries_are_libphonenumbers_regions(string? country, bool known)
    {
        Assert.Equal(known, Identifiers.IsKnownCountry(country));
    }
}
