namespace Coupons.Core.Tests;

public class IssueRulesTests
{
    static IssueDecision Check(IssueFacts facts) => IssueRules.Check(facts);

    static void AssertRefused(int code, IssueFacts facts)
    {
        var decision = Check(facts);
        Assert.Equal(IssueAction.Refuse, decision.Action);
        Assert.Equal(code, decision.Outcome.Code);
    }

    [Fact]
    public void Issuing_a_valid_series_to_a_known_customer_issues_with_700()
    {
        Assert.Equal(new IssueDecision(IssueAction.Issue, Outcome.Success), Check(A.Issue));
    }

    [Fact]
    public void Issuing_from_an_unknown_series_gives_707() => AssertRefused(Status.InvalidSeries, A.Issue with { Series = null });

    [Fact]
    public void Issuing_to_an_unknown_customer_gives_701() => AssertRefused(Status.CustomerNotFound, A.Issue with { Customer = null });

    [Fact]
    public void Issuing_from_a_paused_series_gives_771_before_the_customer_is_looked_at() =>
        AssertRefused(Status.SeriesPaused, A.Issue with { Series = A.Series with { PausedAt = A.Now.AddDays(-1) }, Customer = null });

    [Fact]
    public void An_archived_series_still_issues() =>
        Assert.Equal(IssueAction.Issue, Check(A.Issue with { Series = A.Series with { ArchivedAt = A.Now.AddDays(-1) } }).Action);

    [Fact]
    public void Issuing_to_a_fraud_customer_gives_740() =>
        AssertRefused(Status.FraudCustomer, A.Issue with { Customer = A.Customer with { FraudStatus = FraudStatus.Marked } });

    [Fact]
    public void Issuing_to_a_confirmed_fraud_customer_gives_750() =>
        AssertRefused(Status.ConfirmedFraud, A.Issue with { Customer = A.Customer with { FraudStatus = FraudStatus.Confirmed } });

    [Fact]
    public void Issuing_to_a_blocked_customer_gives_742() =>
        AssertRefused(Status.CustomerBlocked, A.Issue with { Customer = A.Customer with { CouponsBlocked = true } });

    [Fact]
    public void Issuing_from_an_expired_series_gives_712() =>
        AssertRefused(Status.SeriesExpired, A.Issue with { Series = A.Series with { ValidTillDate = A.Now.AddDays(-1) } });

    [Fact]
    public void Issuing_on_the_last_day_of_a_series_is_allowed_until_23_59_59_utc()
    {
        var series = A.Series with { ValidTillDate = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero) };
        var lastSecond = new DateTimeOffset(2025, 6, 15, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(IssueAction.Issue, Check(A.Issue with { Series = series, Now = lastSecond }).Action);
        AssertRefused(Status.SeriesExpired, A.Issue with { Series = series, Now = lastSecond.AddSeconds(1) });
    }

    [Fact]
    public void Issuing_a_second_generic_coupon_gives_5004()
    {
        var facts = A.Issue with { Series = A.Series with { SeriesType = "GENERIC", Generic = "WELCOME", IsMultipleVouchersPerUserAllowed = true }, CouponsHeldInSeries = 1 };
        var decision = Check(facts);
        Assert.Equal(IssueDecision.Refuse(new Outcome(Status.OnlyOneCoupon, "Cannot issue more than one GENERIC coupon code.")), decision);
    }

    [Fact]
    public void Issuing_while_holding_a_mutually_exclusive_coupon_gives_709()
    {
        var decision = Check(A.Issue with { HoldsMutuallyExclusiveCoupon = true });
        Assert.Equal(Status.AlreadyHoldsCoupon, decision.Outcome.Code);
        Assert.Contains("mutually exclusive", decision.Outcome.Message);
    }

    [Fact]
    public void Issuing_again_with_one_coupon_per_user_resends_the_active_coupon()
    {
        var facts = A.Issue with
        {
            Series = A.Series with { DoNotResendExistingVoucher = false },
            CouponsHeldInSeries = 1,
            ActiveCouponInSeries = A.Coupon,
        };
        Assert.Equal(new IssueDecision(IssueAction.ResendExisting, Outcome.Success), Check(facts));
    }

    [Fact]
    public void Issuing_again_with_one_coupon_per_user_and_no_resend_gives_5004()
    {
        var facts = A.Issue with { Series = A.Series with { DoNotResendExistingVoucher = true }, CouponsHeldInSeries = 1, ActiveCouponInSeries = A.Coupon };
        var decision = Check(facts);
        Assert.Equal(IssueDecision.Refuse(Status.OnlyOneCoupon), decision);
        Assert.Equal(Status.Message(Status.OnlyOneCoupon), decision.Outcome.Message);
    }

    [Fact]
    public void Issuing_again_with_one_coupon_per_user_and_no_active_coupon_gives_5004()
    {
        var facts = A.Issue with { Series = A.Series with { DoNotResendExistingVoucher = false }, CouponsHeldInSeries = 1 };
        AssertRefused(Status.OnlyOneCoupon, facts);
    }

    [Fact]
    public void Issuing_beyond_max_vouchers_per_user_gives_5002()
    {
        var series = A.Series with { IsMultipleVouchersPerUserAllowed = true, MaxVouchersPerUser = 3 };
        Assert.Equal(IssueAction.Issue, Check(A.Issue with { Series = series, CouponsHeldInSeries = 2 }).Action);
        AssertRefused(Status.MaxCouponsPerUser, A.Issue with { Series = series, CouponsHeldInSeries = 3 });
    }

    [Fact]
    public void Issuing_before_min_days_between_vouchers_gives_709()
    {
        var series = A.Series with { IsMultipleVouchersPerUserAllowed = true, MinDaysBetweenVouchers = 7 };
        var decision = Check(A.Issue with { Series = series, CouponsHeldInSeries = 1, LastIssuedInSeries = A.Now.AddDays(-6) });
        Assert.Equal(IssueDecision.Refuse(new Outcome(Status.AlreadyHoldsCoupon, "Minimum days between vouchers not elapsed")), decision);
    }

    [Fact]
    public void Issuing_once_min_days_between_vouchers_have_passed_issues()
    {
        var series = A.Series with { IsMultipleVouchersPerUserAllowed = true, MinDaysBetweenVouchers = 7 };
        var decision = Check(A.Issue with { Series = series, CouponsHeldInSeries = 1, LastIssuedInSeries = A.Now.AddDays(-7) });
        Assert.Equal(IssueAction.Issue, decision.Action);
    }

    [Fact]
    public void Issuing_beyond_max_create_gives_714()
    {
        AssertRefused(Status.MaxCreateReached, A.Issue with { Series = A.Series with { MaxCreate = 5, NumIssued = 5 } });
        Assert.Equal(IssueAction.Issue, Check(A.Issue with { Series = A.Series with { MaxCreate = 6, NumIssued = 5 } }).Action);
    }

    [Fact]
    public void A_max_create_of_minus_one_is_unlimited()
    {
        Assert.Equal(IssueAction.Issue, Check(A.Issue with { Series = A.Series with { MaxCreate = -1, NumIssued = 1_000_000 } }).Action);
    }

    [Fact]
    public void Fraud_is_reported_before_an_expired_series()
    {
        var facts = A.Issue with
        {
            Customer = A.Customer with { FraudStatus = FraudStatus.Marked },
            Series = A.Series with { ValidTillDate = A.Now.AddDays(-3) },
        };
        AssertRefused(Status.FraudCustomer, facts);
    }

    [Fact]
    public void Confirmed_fraud_is_reported_before_blocking()
    {
        AssertRefused(Status.ConfirmedFraud, A.Issue with { Customer = A.Customer with { FraudStatus = FraudStatus.Confirmed, CouponsBlocked = true } });
    }

    [Fact]
    public void A_held_generic_coupon_is_reported_before_mutual_exclusion()
    {
        var facts = A.Issue with
        {
            Series = A.Series with { SeriesType = "GENERIC", Generic = "WELCOME" },
            CouponsHeldInSeries = 1,
            HoldsMutuallyExclusiveCoupon = true,
        };
        AssertRefused(Status.OnlyOneCoupon, facts);
    }

    [Fact]
    public void Mutual_exclusion_is_reported_before_max_create()
    {
        AssertRefused(Status.AlreadyHoldsCoupon, A.Issue with { HoldsMutuallyExclusiveCoupon = true, Series = A.Series with { MaxCreate = 0 } });
    }

    [Fact]
    public void Max_vouchers_per_user_is_reported_before_max_create()
    {
        var series = A.Series with { IsMultipleVouchersPerUserAllowed = true, MaxVouchersPerUser = 1, MaxCreate = 0 };
        AssertRefused(Status.MaxCouponsPerUser, A.Issue with { Series = series, CouponsHeldInSeries = 1 });
    }
}
