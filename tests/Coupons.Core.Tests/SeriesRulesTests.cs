namespace Coupons.Core.Tests;

public class SeriesRulesTests
{
    static void AssertNotSaved(Series series, string field)
    {
        var outcome = SeriesRules.Validate(series);
        Assert.Equal(Status.SeriesNotSaved, outcome.Code);
        Assert.Contains(field, outcome.Detail);
    }

    [Fact]
    public void A_valid_series_gives_700()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Saving_a_series_without_a_series_code_gives_753(string code)
    {
        Assert.Equal(Status.EmptySeriesCode, SeriesRules.Validate(A.Series with { SeriesCode = code }).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Saving_a_generic_series_without_its_generic_code_gives_754(string? generic)
    {
        Assert.Equal(Status.GenericCodeMissing, SeriesRules.Validate(A.Series with { SeriesType = "generic", Generic = generic }).Code);
    }

    [Fact]
    public void A_generic_series_with_its_code_gives_700()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { SeriesType = "GENERIC", Generic = "WELCOME10" }));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("[\"x\"]")]
    [InlineData("{\"ids\":[1]}")]
    [InlineData("[10]")]   // the series' own id
    [InlineData("[\"10\"]")]
    public void Saving_an_invalid_mutual_exclusion_gives_756(string ids)
    {
        Assert.Equal(Status.InvalidMutualExclusion, SeriesRules.Validate(A.Series with { MutualExclusiveSeriesIds = ids }).Code);
    }

    [Theory]
    [InlineData("[\"-1\"]")]
    [InlineData("[11, \"12\"]")]
    public void Mutual_exclusion_lists_of_other_series_are_valid(string ids)
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { MutualExclusiveSeriesIds = ids }));
    }

    [Fact]
    public void A_new_series_may_not_yet_know_its_id()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { Id = 0, MutualExclusiveSeriesIds = "[0]" }));
    }

    [Fact]
    public void Saving_a_malformed_redemption_range_gives_744()
    {
        AssertNotSaved(A.Series with { RedemptionRange = "{\"hours\":[25]}" }, "redemptionRange");
    }

    [Fact]
    public void Saving_a_malformed_store_list_gives_744()
    {
        AssertNotSaved(A.Series with { StoreIdsJson = "[\"a\"]" }, "storeIdsJson");
    }

    [Fact]
    public void Saving_a_malformed_redeem_at_store_list_gives_744()
    {
        AssertNotSaved(A.Series with { RedeemAtStore = "7" }, "redeemAtStore");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(33)]
    public void Saving_a_code_length_outside_4_to_32_gives_744(int length)
    {
        AssertNotSaved(A.Series with { RandomCodeLength = length }, "randomCodeLength");
    }

    [Fact]
    public void Saving_a_code_length_too_short_for_max_create_gives_744()
    {
        AssertNotSaved(A.Series with { RandomCodeLength = 5, MaxCreate = 10_000 }, "randomCodeLength");
    }

    [Fact]
    public void Code_length_does_not_matter_for_uploaded_series()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { SeriesType = "UPLOADED", RandomCodeLength = 0 }));
    }

    [Fact]
    public void Saving_a_negative_min_bill_amount_gives_744()
    {
        AssertNotSaved(A.Series with { MinBillAmount = -1m }, "minBillAmount");
    }

    [Fact]
    public void Saving_a_max_bill_amount_below_the_min_gives_744()
    {
        AssertNotSaved(A.Series with { MinBillAmount = 100m, MaxBillAmount = 50m }, "maxBillAmount");
    }

    [Fact]
    public void A_max_bill_amount_of_zero_means_no_maximum()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { MinBillAmount = 100m, MaxBillAmount = 0m }));
    }

    [Fact]
    public void Saving_an_unknown_expiry_strategy_gives_744()
    {
        AssertNotSaved(A.Series with { ExpiryStrategyType = "WEEKS" }, "expiryStrategyType");
    }

    [Fact]
    public void Saving_a_days_expiry_without_days_gives_744()
    {
        AssertNotSaved(A.Series with { ExpiryStrategyType = "DAYS", ValidDaysFromCreation = 0, ExpiryStrategyValue = -1 }, "validDaysFromCreation");
    }

    [Theory]
    [InlineData(30, -1)]
    [InlineData(-1, 7)]
    public void A_days_expiry_takes_either_day_count(int validDays, int strategyValue)
    {
        var series = A.Series with { ExpiryStrategyType = "days", ValidDaysFromCreation = validDays, ExpiryStrategyValue = strategyValue };
        Assert.Equal(Outcome.Success, SeriesRules.Validate(series));
    }

    [Fact]
    public void Saving_a_fixed_date_expiry_without_the_date_gives_744()
    {
        AssertNotSaved(A.Series with { ExpiryStrategyType = "FIXED_DATE", FixedExpiryDate = null }, "fixedExpiryDate");
    }

    [Fact]
    public void A_fixed_date_expiry_with_its_date_gives_700()
    {
        Assert.Equal(Outcome.Success, SeriesRules.Validate(A.Series with { ExpiryStrategyType = "Fixed_Date", FixedExpiryDate = A.Now.AddDays(5) }));
    }

    [Fact]
    public void An_empty_series_code_is_reported_before_a_missing_generic_code()
    {
        Assert.Equal(Status.EmptySeriesCode, SeriesRules.Validate(A.Series with { SeriesCode = "", SeriesType = "GENERIC" }).Code);
    }

    [Fact]
    public void A_bad_mutual_exclusion_is_reported_before_bad_fields()
    {
        var series = A.Series with { MutualExclusiveSeriesIds = "x", MinBillAmount = -1m };
        Assert.Equal(Status.InvalidMutualExclusion, SeriesRules.Validate(series).Code);
    }
}
