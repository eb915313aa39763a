namespace Coupons.Core.Tests;

public class SeriesRulesTests
{
    static readonly KnownIds Known = new(new HashSet<long> { A.StoreId, 8 }, new HashSet<long> { A.SeriesId, 11, 12 });

    static IReadOnlyList<SeriesRefusal> Check(Series series, bool creating = false, KnownIds? known = null) =>
        SeriesRules.Check(series, A.Now, creating, known);

    /// <summary>The first refusal's outcome, or success: what a test about one rule looks at.</summary>
    static Outcome First(Series series) => Check(series).FirstOrDefault()?.Outcome ?? Outcome.Success;

    static void AssertNotSaved(Series series, string field, bool creating = false, KnownIds? known = null)
    {
        var refusal = Assert.Single(Check(series, creating, known));
        Assert.Equal(field, refusal.Field);
        Assert.Equal(Status.SeriesNotSaved, refusal.Outcome.Code);
        Assert.StartsWith(field, refusal.Outcome.Detail);
    }

    [Fact]
    public void A_valid_series_gives_700()
    {
        Assert.Empty(Check(A.Series, creating: true, Known));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Saving_a_series_without_a_series_code_gives_753(string code)
    {
        Assert.Equal(Status.EmptySeriesCode, First(A.Series with { SeriesCode = code }).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Saving_a_generic_series_without_its_generic_code_gives_754(string? generic)
    {
        Assert.Equal(Status.GenericCodeMissing, First(A.Series with { SeriesType = "generic", Generic = generic }).Code);
    }

    [Fact]
    public void A_generic_series_with_its_code_gives_700()
    {
        Assert.Equal(Outcome.Success, First(A.Series with { SeriesType = "GENERIC", Generic = "WELCOME10" }));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("[\"x\"]")]
    [InlineData("{\"ids\":[1]}")]
    [InlineData("[10]")]   // the series' own id
    [InlineData("[\"10\"]")]
    public void Saving_an_invalid_mutual_exclusion_gives_756(string ids)
    {
        Assert.Equal(Status.InvalidMutualExclusion, First(A.Series with { MutualExclusiveSeriesIds = ids }).Code);
    }

    [Theory]
    [InlineData("[\"-1\"]")]
    [InlineData("[11, \"12\"]")]
    public void Mutual_exclusion_lists_of_other_series_are_valid(string ids)
    {
        Assert.Equal(Outcome.Success, First(A.Series with { MutualExclusiveSeriesIds = ids }));
    }

    [Fact]
    public void A_new_series_may_not_yet_know_its_id()
    {
        Assert.Equal(Outcome.Success, First(A.Series with { Id = 0, MutualExclusiveSeriesIds = "[0]" }));
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
        Assert.Equal(Outcome.Success, First(A.Series with { SeriesType = "UPLOADED", RandomCodeLength = 0 }));
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
        Assert.Equal(Outcome.Success, First(A.Series with { MinBillAmount = 100m, MaxBillAmount = 0m }));
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
        Assert.Equal(Outcome.Success, First(series));
    }

    [Fact]
    public void Saving_a_fixed_date_expiry_without_the_date_gives_744()
    {
        AssertNotSaved(A.Series with { ExpiryStrategyType = "FIXED_DATE", FixedExpiryDate = null }, "fixedExpiryDate");
    }

    [Fact]
    public void A_fixed_date_expiry_with_its_date_gives_700()
    {
        Assert.Equal(Outcome.Success, First(A.Series with { ExpiryStrategyType = "Fixed_Date", FixedExpiryDate = A.Now.AddDays(5) }));
    }

    [Fact]
    public void An_empty_series_code_is_reported_before_a_missing_generic_code()
    {
        Assert.Equal(Status.EmptySeriesCode, First(A.Series with { SeriesCode = "", SeriesType = "GENERIC" }).Code);
    }

    [Fact]
    public void Every_refusal_is_reported_at_once_in_the_order_of_the_form()
    {
        var series = A.Series with { SeriesCode = " ", DiscountValue = -10, MaxCreate = -500, MutualExclusiveSeriesIds = "x", MinBillAmount = -1m };
        var refusals = Check(series);
        Assert.Equal(["seriesCode", "discountValue", "minBillAmount", "maxCreate", "mutualExclusiveSeriesIds"], refusals.Select(r => r.Field));
        Assert.Equal([753, 744, 744, 744, 756], refusals.Select(r => r.Outcome.Code));
        Assert.All(refusals, r => Assert.Contains(r.Field, r.Outcome.Detail));
    }

    [Theory]
    [InlineData(-10, "ABS")]
    [InlineData(-0.01, "PERC")]
    [InlineData(150, "PERC")]
    [InlineData(100.5, "perc")]
    public void Saving_a_negative_discount_or_a_percentage_over_100_gives_744(double value, string type)
    {
        AssertNotSaved(A.Series with { DiscountValue = (decimal)value, DiscountType = type }, "discountValue");
    }

    [Theory]
    [InlineData(0, "PERC")]
    [InlineData(100, "PERC")]
    [InlineData(150, "ABS")]
    public void A_discount_of_0_to_100_percent_or_any_amount_is_valid(double value, string type)
    {
        Assert.Empty(Check(A.Series with { DiscountValue = (decimal)value, DiscountType = type }));
    }

    [Fact]
    public void Saving_a_negative_discount_cap_gives_744()
    {
        AssertNotSaved(A.Series with { DiscountUpto = -1m }, "discountUpto");
    }

    [Theory]
    [InlineData("discountType", "PERCENT")]
    [InlineData("seriesType", "RANDOM")]
    [InlineData("expiryStrategyType", "")]
    public void Saving_an_unknown_type_gives_744_naming_it(string field, string value)
    {
        var series = field switch
        {
            "discountType" => A.Series with { DiscountType = value },
            "seriesType" => A.Series with { SeriesType = value },
            _ => A.Series with { ExpiryStrategyType = value },
        };
        AssertNotSaved(series, field);
    }

    [Theory]
    [InlineData("maxCreate")]
    [InlineData("maxRedeem")]
    [InlineData("maxVouchersPerUser")]
    [InlineData("minDaysBetweenVouchers")]
    [InlineData("redemptionPerCouponMaxLimit")]
    [InlineData("maxRedemptionsInSeriesPerUser")]
    [InlineData("minDaysBetweenRedemption")]
    [InlineData("maxReferralsPerReferee")]
    [InlineData("validDaysFromCreation")]
    [InlineData("expiryStrategyValue")]
    public void A_limit_below_minus_1_gives_744_and_minus_1_or_0_is_valid(string field)
    {
        Series With(int v) => field switch
        {
            "maxCreate" => A.Series with { MaxCreate = v },
            "maxRedeem" => A.Series with { MaxRedeem = v },
            "maxVouchersPerUser" => A.Series with { MaxVouchersPerUser = v },
            "minDaysBetweenVouchers" => A.Series with { MinDaysBetweenVouchers = v },
            "redemptionPerCouponMaxLimit" => A.Series with { RedemptionPerCouponMaxLimit = v },
            "maxRedemptionsInSeriesPerUser" => A.Series with { MaxRedemptionsInSeriesPerUser = v },
            "minDaysBetweenRedemption" => A.Series with { MinDaysBetweenRedemption = v },
            "maxReferralsPerReferee" => A.Series with { MaxReferralsPerReferee = v },
            "validDaysFromCreation" => A.Series with { ValidDaysFromCreation = v },
            _ => A.Series with { ExpiryStrategyValue = v },
        };
        AssertNotSaved(With(-2), field);
        AssertNotSaved(With(-500), field);
        Assert.Empty(Check(With(-1)));
        Assert.Empty(Check(With(0)));
    }

    [Fact]
    public void Creating_a_series_already_past_its_valid_till_date_gives_744()
    {
        AssertNotSaved(A.Series with { ValidTillDate = A.Now.AddDays(-1) }, "validTillDate", creating: true);
    }

    [Fact]
    public void A_series_valid_till_today_may_be_created_and_a_past_one_edited()
    {
        Assert.Empty(Check(A.Series with { ValidTillDate = A.Now.Date }, creating: true));
        Assert.Empty(Check(A.Series with { ValidTillDate = A.Now.AddDays(-30) }, creating: false));
    }

    [Fact]
    public void Redeemable_from_after_the_valid_till_date_gives_744()
    {
        AssertNotSaved(A.Series with { RedemptionValidFrom = A.Series.ValidTillDate!.Value.AddDays(1) }, "redemptionValidFrom");
        Assert.Empty(Check(A.Series with { RedemptionValidFrom = A.Series.ValidTillDate!.Value }));
    }

    [Fact]
    public void Saving_negative_redeemable_after_days_or_max_bill_gives_744()
    {
        AssertNotSaved(A.Series with { RedemptionValidAfterDays = -1 }, "redemptionValidAfterDays");
        AssertNotSaved(A.Series with { MaxBillAmount = -5m }, "maxBillAmount");
    }

    [Theory]
    [InlineData("storeIdsJson")]
    [InlineData("redeemAtStore")]
    public void A_store_list_naming_a_store_of_no_one_in_the_organisation_gives_744(string field)
    {
        var series = field == "storeIdsJson" ? A.Series with { StoreIdsJson = "[7, 99]" } : A.Series with { RedeemAtStore = "[\"99\"]" };
        AssertNotSaved(series, field, known: Known);
        Assert.Contains("99", Check(series, known: Known).Single().Outcome.Detail);
    }

    [Fact]
    public void A_mutual_exclusion_naming_an_unknown_series_gives_756()
    {
        var refusal = Assert.Single(Check(A.Series with { MutualExclusiveSeriesIds = "[11, 404]" }, known: Known));
        Assert.Equal(("mutualExclusiveSeriesIds", Status.InvalidMutualExclusion), (refusal.Field, refusal.Outcome.Code));
        Assert.Contains("404", refusal.Outcome.Detail);
    }

    [Fact]
    public void Lists_of_known_ids_and_minus_1_are_valid()
    {
        var series = A.Series with { StoreIdsJson = "[7, 8]", RedeemAtStore = "[-1]", MutualExclusiveSeriesIds = "[\"11\", 12]" };
        Assert.Empty(Check(series, known: Known));
        var (stores, exclusive) = SeriesRules.ReferencedIds(series);
        Assert.Equal([7L, 8L], stores);
        Assert.Equal([11L, 12L], exclusive);
    }
}
