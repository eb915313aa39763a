namespace Coupons.Core.Tests;

public class RedeemRulesTests
{
    static int Code(RedeemFacts facts) => RedeemRules.Check(facts).Code;

    static RedeemFacts WithSeries(Func<Series, Series> change) => A.Redeem with { Series = change(A.Series) };
    static RedeemFacts WithCoupon(Func<Coupon, Coupon> change) => A.Redeem with { Coupon = change(A.Coupon) };
    static RedeemFacts WithRequest(Func<RedeemRequest, RedeemRequest> change) => A.Redeem with { Request = change(A.Request) };
    static RedeemFacts WithCustomer(Func<Customer, Customer> change) => A.Redeem with { Customer = change(A.Customer) };

    [Fact]
    public void Redeeming_a_valid_coupon_gives_700()
    {
        Assert.Equal(Outcome.Success, RedeemRules.Check(A.Redeem));
    }

    // 1, 2: the customer

    [Fact]
    public void Redeeming_for_an_unknown_customer_gives_701() => Assert.Equal(701, Code(A.Redeem with { Customer = null }));

    [Fact]
    public void Redeeming_for_a_fraud_customer_gives_740() => Assert.Equal(740, Code(WithCustomer(c => c with { FraudStatus = FraudStatus.Marked })));

    [Fact]
    public void Redeeming_for_a_confirmed_fraud_customer_gives_750() => Assert.Equal(750, Code(WithCustomer(c => c with { FraudStatus = FraudStatus.Confirmed })));

    [Fact]
    public void Redeeming_for_a_blocked_customer_gives_742() => Assert.Equal(742, Code(WithCustomer(c => c with { CouponsBlocked = true })));

    // 3: the code

    [Fact]
    public void Redeeming_an_uploaded_code_not_yet_issued_gives_719() =>
        Assert.Equal(719, Code(A.Redeem with { Coupon = null, CodeUnissued = true }));

    [Fact]
    public void Redeeming_a_generic_code_never_issued_to_the_customer_gives_723() =>
        Assert.Equal(723, Code(A.Redeem with { Coupon = null, GenericNotIssuedToCustomer = true }));

    [Fact]
    public void Redeeming_an_unknown_code_gives_702() => Assert.Equal(702, Code(A.Redeem with { Coupon = null }));

    [Fact]
    public void Redeeming_a_coupon_without_its_series_gives_702() => Assert.Equal(702, Code(A.Redeem with { Series = null }));

    // 4-6: the coupon and its owner

    [Fact]
    public void Redeeming_a_revoked_coupon_gives_660() => Assert.Equal(660, Code(WithCoupon(c => c with { Revoked = true })));

    [Fact]
    public void Redeeming_from_a_paused_series_gives_771_after_660_and_before_720()
    {
        var paused = A.Series with { PausedAt = A.Now.AddHours(-1), IsTestSeries = true };
        Assert.Equal(771, Code(A.Redeem with { Series = paused }));
        Assert.Equal(660, Code(A.Redeem with { Series = paused, Coupon = A.Coupon with { Revoked = true } }));
        Assert.Equal(Outcome.Success, RedeemRules.Check(A.Redeem with { Series = A.Series with { ArchivedAt = A.Now } }));
    }

    [Fact]
    public void Redeeming_a_test_series_coupon_gives_720() => Assert.Equal(720, Code(WithSeries(s => s with { IsTestSeries = true })));

    [Fact]
    public void Redeeming_someone_elses_coupon_gives_703() => Assert.Equal(703, Code(WithCoupon(c => c with { CustomerId = 999 })));

    [Fact]
    public void Redeeming_an_unissued_coupon_gives_703() => Assert.Equal(703, Code(WithCoupon(c => c with { CustomerId = null })));

    [Fact]
    public void Anyone_may_redeem_a_coupon_of_an_any_user_series()
    {
        var facts = A.Redeem with { Coupon = A.Coupon with { CustomerId = 999 }, Series = A.Series with { AnyUser = true } };
        Assert.Equal(700, Code(facts));
    }

    [Fact]
    public void Anyone_may_redeem_a_transferrable_coupon()
    {
        var facts = A.Redeem with { Coupon = A.Coupon with { CustomerId = 999 }, Series = A.Series with { IsTransferrable = true } };
        Assert.Equal(700, Code(facts));
    }

    // 7: validation code

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Redeeming_without_a_required_validation_code_gives_725(string? validationCode)
    {
        var facts = A.Redeem with { Series = A.Series with { IsValidationRequired = true }, Request = A.Request with { ValidationCode = validationCode } };
        Assert.Equal(725, Code(facts));
    }

    [Fact]
    public void Redeeming_with_a_wrong_validation_code_gives_705()
    {
        var facts = A.Redeem with { Series = A.Series with { IsValidationRequired = true }, Request = A.Request with { ValidationCode = "PIN43" } };
        Assert.Equal(705, Code(facts));
    }

    [Fact]
    public void Validation_codes_match_case_insensitively()
    {
        var facts = A.Redeem with { Series = A.Series with { IsValidationRequired = true }, Request = A.Request with { ValidationCode = "pin42" } };
        Assert.Equal(700, Code(facts));
    }

    [Fact]
    public void A_validation_code_is_ignored_when_not_required() =>
        Assert.Equal(700, Code(WithRequest(r => r with { ValidationCode = "wrong" })));

    // 8-10: dates

    [Fact]
    public void Redeeming_with_a_redemption_time_over_5_minutes_ahead_gives_739()
    {
        Assert.Equal(739, Code(WithRequest(r => r with { RedemptionTime = A.Now.AddMinutes(5).AddSeconds(1) })));
        Assert.Equal(700, Code(WithRequest(r => r with { RedemptionTime = A.Now.AddMinutes(5) })));
    }

    [Fact]
    public void Redeeming_after_the_series_has_expired_gives_712() =>
        Assert.Equal(712, Code(WithSeries(s => s with { ValidTillDate = A.Now.AddDays(-1) })));

    [Fact]
    public void Redeeming_on_the_series_last_day_is_allowed_until_23_59_59_utc()
    {
        var series = A.Series with { ValidTillDate = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero) };
        var lastSecond = new DateTimeOffset(2025, 6, 15, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(700, Code(A.Redeem with { Series = series, Now = lastSecond }));
        Assert.Equal(712, Code(A.Redeem with { Series = series, Now = lastSecond.AddSeconds(1) }));
    }

    [Fact]
    public void The_redemption_time_not_now_decides_expiry()
    {
        var facts = A.Redeem with { Coupon = A.Coupon with { ValidTill = A.Now.AddDays(-1) }, Request = A.Request with { RedemptionTime = A.Now.AddDays(-2) } };
        Assert.Equal(700, Code(facts));
    }

    [Fact]
    public void Redeeming_an_expired_coupon_gives_713() => Assert.Equal(713, Code(WithCoupon(c => c with { ValidTill = A.Now.AddSeconds(-1) })));

    [Fact]
    public void Redeeming_before_the_series_redemption_start_gives_739() =>
        Assert.Equal(739, Code(WithSeries(s => s with { RedemptionValidFrom = A.Now.AddHours(1) })));

    [Fact]
    public void Redeeming_before_redemption_valid_after_days_gives_739()
    {
        // The default coupon was issued two days ago.
        Assert.Equal(739, Code(WithSeries(s => s with { RedemptionValidAfterDays = 3 })));
        Assert.Equal(700, Code(WithSeries(s => s with { RedemptionValidAfterDays = 2 })));
    }

    // 11: redemption range

    [Fact]
    public void Redeeming_outside_the_redemption_hours_gives_729() =>
        Assert.Equal(729, Code(WithSeries(s => s with { RedemptionRange = "{\"dom\":[\"-1\"],\"dow\":[\"-1\"],\"hours\":[\"9\",\"10\"]}" })));

    [Fact]
    public void Redeeming_on_an_excluded_weekday_gives_729() =>
        Assert.Equal(729, Code(WithSeries(s => s with { RedemptionRange = "{\"dow\":[1,2,3,4,5]}" })));

    [Fact]
    public void Redeeming_with_a_malformed_redemption_range_gives_729() =>
        Assert.Equal(729, Code(WithSeries(s => s with { RedemptionRange = "{\"hours\":[99]}" })));

    [Fact]
    public void The_redemption_range_is_read_in_the_organisations_zone()
    {
        // Noon UTC is 17:30 in Kolkata.
        var series = A.Series with { RedemptionRange = "{\"hours\":[17]}" };
        var kolkata = A.Redeem with { Series = series, Caller = A.CallerIn(A.Organisation with { TimeZone = "Asia/Kolkata" }) };
        Assert.Equal(700, Code(kolkata));
        Assert.Equal(729, Code(A.Redeem with { Series = series }));
    }

    [Fact]
    public void An_unknown_organisation_zone_reads_the_redemption_range_in_utc()
    {
        var series = A.Series with { RedemptionRange = "{\"hours\":[12]}" };
        var facts = A.Redeem with { Series = series, Caller = A.CallerIn(A.Organisation with { TimeZone = "Nowhere/Special" }) };
        Assert.Equal(700, Code(facts));
    }

    // 12: store

    [Fact]
    public void Redeeming_at_a_store_not_in_redeem_at_store_gives_735() =>
        Assert.Equal(735, Code(WithSeries(s => s with { RedeemAtStore = "[8, 9]" })));

    [Fact]
    public void Redeeming_at_a_store_not_in_store_ids_gives_735() =>
        Assert.Equal(735, Code(WithSeries(s => s with { StoreIdsJson = "[\"8\"]" })));

    [Theory]
    [InlineData("[-1]", "[\"-1\"]")]
    [InlineData("[7]", "[]")]
    [InlineData("[\"7\", 8]", "[7]")]
    public void Redeeming_at_a_listed_store_or_any_store_is_allowed(string redeemAtStore, string storeIds) =>
        Assert.Equal(700, Code(WithSeries(s => s with { RedeemAtStore = redeemAtStore, StoreIdsJson = storeIds })));

    // 13, 14: transaction

    [Fact]
    public void Redeeming_without_a_required_transaction_number_gives_718()
    {
        var facts = A.Redeem with
        {
            Caller = A.CallerIn(A.Organisation with { TransactionNumberRequired = true }),
            Request = A.Request with { TransactionNumber = " " },
        };
        Assert.Equal(718, Code(facts));
        Assert.Equal(700, Code(facts with { Request = A.Request }));
    }

    [Fact]
    public void Redeeming_below_the_min_bill_amount_gives_733()
    {
        Assert.Equal(733, Code(A.Redeem with { Series = A.Series with { MinBillAmount = 500.01m } }));
        Assert.Equal(700, Code(A.Redeem with { Series = A.Series with { MinBillAmount = 500m } }));
    }

    [Fact]
    public void Redeeming_above_the_max_bill_amount_gives_733()
    {
        Assert.Equal(733, Code(A.Redeem with { Series = A.Series with { MaxBillAmount = 499.99m } }));
        Assert.Equal(700, Code(A.Redeem with { Series = A.Series with { MaxBillAmount = 500m } }));
    }

    [Fact]
    public void Redeeming_with_a_negative_bill_amount_gives_733() =>
        Assert.Equal(733, Code(WithRequest(r => r with { BillAmount = -1m })));

    [Fact]
    public void A_missing_bill_amount_counts_as_zero()
    {
        var facts = A.Redeem with { Request = A.Request with { BillAmount = null }, Series = A.Series with { MinBillAmount = 1m } };
        Assert.Equal(733, Code(facts));
        Assert.Equal(700, Code(WithRequest(r => r with { BillAmount = null })));
    }

    // 15-20: counts

    [Fact]
    public void Redeeming_a_used_single_use_coupon_gives_711() => Assert.Equal(711, Code(WithCoupon(c => c with { NumRedemptions = 1 })));

    [Fact]
    public void Redeeming_a_multiple_use_coupon_twice_by_the_same_customer_gives_716()
    {
        var facts = A.Redeem with
        {
            Series = A.Series with { IsMultipleUseAllowed = true, SameUserMultipleRedeem = false },
            Coupon = A.Coupon with { NumRedemptions = 1 },
            CustomerRedemptionsOfCoupon = 1,
        };
        Assert.Equal(716, Code(facts));
        Assert.Equal(700, Code(facts with { Series = facts.Series! with { SameUserMultipleRedeem = true } }));
    }

    [Fact]
    public void Redeeming_beyond_the_per_coupon_limit_gives_728()
    {
        var facts = A.Redeem with
        {
            Series = A.Series with { IsMultipleUseAllowed = true, SameUserMultipleRedeem = true, RedemptionPerCouponMaxLimit = 3 },
            Coupon = A.Coupon with { NumRedemptions = 3 },
        };
        Assert.Equal(728, Code(facts));
        Assert.Equal(700, Code(facts with { Coupon = A.Coupon with { NumRedemptions = 2 } }));
    }

    [Fact]
    public void Redeeming_beyond_the_series_max_redeem_gives_728()
    {
        Assert.Equal(728, Code(WithSeries(s => s with { MaxRedeem = 2, NumRedeemed = 2 })));
        Assert.Equal(700, Code(WithSeries(s => s with { MaxRedeem = 3, NumRedeemed = 2 })));
    }

    [Fact]
    public void Redeeming_beyond_max_redemptions_in_series_per_user_gives_736()
    {
        var series = A.Series with { MaxRedemptionsInSeriesPerUser = 2 };
        Assert.Equal(736, Code(A.Redeem with { Series = series, CustomerRedemptionsInSeries = 2 }));
        Assert.Equal(700, Code(A.Redeem with { Series = series, CustomerRedemptionsInSeries = 1 }));
    }

    [Fact]
    public void Redeeming_before_min_days_between_redemptions_gives_738_naming_the_days_left()
    {
        var facts = A.Redeem with
        {
            Series = A.Series with { MinDaysBetweenRedemption = 5 },
            LastCustomerRedemptionInSeries = A.Now.AddDays(-2).AddHours(-1),
        };
        Assert.Equal(new Outcome(738, "Cannot redeem the coupon. Please wait for 3 days to redeem this coupon again"), RedeemRules.Check(facts));
    }

    [Fact]
    public void Redeeming_once_min_days_between_redemptions_have_passed_is_allowed()
    {
        var facts = A.Redeem with { Series = A.Series with { MinDaysBetweenRedemption = 5 }, LastCustomerRedemptionInSeries = A.Now.AddDays(-5) };
        Assert.Equal(700, Code(facts));
    }

    // Order: the earlier rule wins.

    [Fact]
    public void An_unknown_customer_is_reported_before_an_unknown_code() =>
        Assert.Equal(701, Code(A.Redeem with { Customer = null, Coupon = null }));

    [Fact]
    public void Fraud_is_reported_before_an_unknown_code() =>
        Assert.Equal(740, Code(A.Redeem with { Customer = A.Customer with { FraudStatus = FraudStatus.Marked }, Coupon = null }));

    [Fact]
    public void An_unissued_code_is_reported_before_a_generic_one() =>
        Assert.Equal(719, Code(A.Redeem with { Coupon = null, CodeUnissued = true, GenericNotIssuedToCustomer = true }));

    [Fact]
    public void Revocation_is_reported_before_a_test_series() =>
        Assert.Equal(660, Code(A.Redeem with { Coupon = A.Coupon with { Revoked = true }, Series = A.Series with { IsTestSeries = true } }));

    [Fact]
    public void Someone_elses_coupon_is_reported_before_a_missing_validation_code() =>
        Assert.Equal(703, Code(A.Redeem with { Coupon = A.Coupon with { CustomerId = 999 }, Series = A.Series with { IsValidationRequired = true } }));

    [Fact]
    public void A_series_expiry_is_reported_before_the_coupons_expiry() =>
        Assert.Equal(712, Code(A.Redeem with { Series = A.Series with { ValidTillDate = A.Now.AddDays(-3) }, Coupon = A.Coupon with { ValidTill = A.Now.AddDays(-1) } }));

    [Fact]
    public void An_expired_coupon_is_reported_before_a_wrong_store() =>
        Assert.Equal(713, Code(A.Redeem with { Coupon = A.Coupon with { ValidTill = A.Now.AddDays(-1) }, Series = A.Series with { RedeemAtStore = "[8]" } }));

    [Fact]
    public void A_redemption_range_is_reported_before_a_wrong_store() =>
        Assert.Equal(729, Code(WithSeries(s => s with { RedemptionRange = "{\"hours\":[1]}", StoreIdsJson = "[8]" })));

    [Fact]
    public void A_wrong_store_is_reported_before_a_missing_transaction_number()
    {
        var facts = A.Redeem with
        {
            Series = A.Series with { RedeemAtStore = "[8]" },
            Caller = A.CallerIn(A.Organisation with { TransactionNumberRequired = true }),
            Request = A.Request with { TransactionNumber = null },
        };
        Assert.Equal(735, Code(facts));
    }

    [Fact]
    public void An_invalid_amount_is_reported_before_a_used_coupon() =>
        Assert.Equal(733, Code(A.Redeem with { Request = A.Request with { BillAmount = -5m }, Coupon = A.Coupon with { NumRedemptions = 1 } }));

    [Fact]
    public void A_used_coupon_is_reported_before_the_series_limit() =>
        Assert.Equal(711, Code(A.Redeem with { Coupon = A.Coupon with { NumRedemptions = 1 }, Series = A.Series with { MaxRedeem = 1, NumRedeemed = 1 } }));

    [Fact]
    public void The_series_limit_is_reported_before_the_per_user_limit() =>
        Assert.Equal(728, Code(A.Redeem with { Series = A.Series with { MaxRedeem = 1, NumRedeemed = 1, MaxRedemptionsInSeriesPerUser = 1 }, CustomerRedemptionsInSeries = 1 }));

    [Fact]
    public void The_per_user_limit_is_reported_before_the_redemption_gap()
    {
        var facts = A.Redeem with
        {
            Series = A.Series with { MaxRedemptionsInSeriesPerUser = 1, MinDaysBetweenRedemption = 5 },
            CustomerRedemptionsInSeries = 1,
            LastCustomerRedemptionInSeries = A.Now.AddDays(-1),
        };
        Assert.Equal(736, Code(facts));
    }
}
