namespace Coupons.Core.Tests;

public class DiscountsTests
{
    static Series Abs(decimal value) => A.Series with { DiscountType = "ABS", DiscountValue = value };
    static Series Perc(decimal value, decimal upto = 0) => A.Series with { DiscountType = "PERC", DiscountValue = value, DiscountUpto = upto };

    [Fact]
    public void Abs_below_the_bill_is_its_value() => Assert.Equal(10m, Discounts.For(Abs(10), 50m, 2));

    [Fact]
    public void Abs_above_the_bill_is_the_bill() => Assert.Equal(7.5m, Discounts.For(Abs(10), 7.5m, 2));

    [Fact]
    public void Perc_without_a_cap_is_the_share_of_the_bill() => Assert.Equal(30m, Discounts.For(Perc(15), 200m, 2));

    [Fact]
    public void Perc_with_a_cap_below_the_share_is_the_cap() => Assert.Equal(20m, Discounts.For(Perc(15, upto: 20), 200m, 2));

    [Fact]
    public void Perc_with_a_cap_above_the_share_is_the_share() => Assert.Equal(30m, Discounts.For(Perc(15, upto: 50), 200m, 2));

    [Fact]
    public void Perc_over_100_is_never_more_than_the_bill() => Assert.Equal(40m, Discounts.For(Perc(150), 40m, 2));

    [Fact]
    public void The_type_is_read_in_any_case() => Assert.Equal(5m, Discounts.For(A.Series with { DiscountType = " perc ", DiscountValue = 10 }, 50m, 2));

    [Fact]
    public void A_bill_below_minBillAmount_gets_none() => Assert.Equal(0m, Discounts.For(Abs(10) with { MinBillAmount = 100 }, 99.99m, 2));

    [Fact]
    public void A_bill_above_maxBillAmount_gets_none() => Assert.Equal(0m, Discounts.For(Perc(10) with { MaxBillAmount = 500 }, 500.01m, 2));

    [Fact]
    public void A_bill_on_the_bounds_gets_the_discount()
    {
        var series = Perc(10) with { MinBillAmount = 100, MaxBillAmount = 500 };
        Assert.Equal(10m, Discounts.For(series, 100m, 2));
        Assert.Equal(50m, Discounts.For(series, 500m, 2));
    }

    [Fact]
    public void A_zero_or_negative_bill_gets_none()
    {
        Assert.Equal(0m, Discounts.For(Abs(10), 0m, 2));
        Assert.Equal(0m, Discounts.For(Abs(10), -5m, 2));
    }

    [Fact]
    public void No_bill_says_nothing() => Assert.Null(Discounts.For(Abs(10), null, 2));

    [Fact]
    public void An_item_level_discount_says_nothing() => Assert.Null(Discounts.For(Abs(10) with { DiscountOn = "LINEITEM" }, 50m, 2));

    [Fact]
    public void An_unknown_discount_type_says_nothing() => Assert.Null(Discounts.For(A.Series with { DiscountType = "FREE_ITEM", DiscountValue = 1 }, 50m, 2));

    [Fact]
    public void A_negative_value_gives_nothing_off() => Assert.Equal(0m, Discounts.For(Abs(-3), 50m, 2));

    // Rounding: half away from zero, to the currency's minor unit.

    [Theory]
    [InlineData("10", "0.125", 2, "0.01")]     // 0.0125 → 0.01
    [InlineData("10", "0.15", 2, "0.02")]      // 0.015, exactly half → away from zero
    [InlineData("12.5", "10.02", 2, "1.25")]   // 1.2525 → 1.25
    [InlineData("12.5", "10.04", 2, "1.26")]   // 1.255 → 1.26
    [InlineData("12.5", "9.96", 2, "1.25")]    // 1.245 → 1.25 (half away from zero; to even would give 1.24)
    [InlineData("10", "0.25", 2, "0.03")]      // 0.025 → 0.03 (to even: 0.02)
    [InlineData("50", "5", 0, "3")]            // 2.5 → 3 (to even: 2)
    [InlineData("12.5", "10.04", 0, "1")]      // a currency without minor unit
    [InlineData("15", "3", 0, "0")]            // 0.45 → 0
    [InlineData("50", "3", 0, "2")]            // 1.5 → 2
    [InlineData("12.5", "10.04", 3, "1.255")]  // three decimals (e.g. BHD, KWD)
    [InlineData("33.333", "1", 4, "0.3333")]
    public void Perc_rounds_half_away_from_zero(string percent, string bill, int decimals, string expected) =>
        Assert.Equal(decimal.Parse(expected), Discounts.For(Perc(decimal.Parse(percent)), decimal.Parse(bill), decimals));

    [Fact]
    public void Exact_decimal_arithmetic_no_binary_fractions() =>
        // 0.1 + 0.2 in binary floating point is 0.30000000000000004; in decimal 3% of 10 is exactly 0.3.
        Assert.Equal(0.3m, Discounts.For(Perc(3), 10m, 2));

    [Fact]
    public void Rounding_never_gives_more_than_a_bill_finer_than_the_minor_unit() =>
        // 100% of 0.005 rounds to 0.01 (more than the bill): it is rounded towards zero instead.
        Assert.Equal(0m, Discounts.For(Perc(100), 0.005m, 2));

    [Fact]
    public void Decimals_outside_0_to_4_are_clamped() => Assert.Equal(0.3333m, Discounts.For(Perc(33.33333m), 1m, 9));
}
