using System.Numerics;
using IstioLab.Blueprint.Traffic;

namespace IstioLab.Blueprint.Tests;

/// <summary>
/// The traffic check's tolerance: exact binomial bands, checked against tail probabilities computed independently in
/// exact rational arithmetic, so that a correct mesh fails less than once in 10,000 runs and a wrong one is caught.
/// </summary>
public class BinomialBandTests
{
    /// <summary>P(X = k) for X ~ Binomial(n, a/b), exactly, as a fraction over b^n.</summary>
    private static BigInteger[] ExactWeights(int n, int a, int b)
    {
        var weights = new BigInteger[n + 1];
        BigInteger choose = 1;
        for (var k = 0; k <= n; k++)
        {
            if (k > 0)
            {
                choose = choose * (n - k + 1) / k;
            }

            weights[k] = choose * BigInteger.Pow(a, k) * BigInteger.Pow(b - a, n - k);
        }

        return weights;
    }

    /// <summary>P(X &lt; low) + P(X &gt; high) as a double, from the exact sums.</summary>
    private static double Outside(int n, int a, int b, int low, int high)
    {
        var w = ExactWeights(n, a, b);
        BigInteger outside = 0;
        for (var k = 0; k <= n; k++)
        {
            if (k < low || k > high)
            {
                outside += w[k];
            }
        }

        return Math.Exp(BigInteger.Log(outside + 0) - BigInteger.Log(BigInteger.Pow(b, n)));
    }

    private static double Tail(int n, int a, int b, Func<int, bool> which)
    {
        var w = ExactWeights(n, a, b);
        BigInteger sum = 0;
        for (var k = 0; k <= n; k++)
        {
            if (which(k))
            {
                sum += w[k];
            }
        }

        return sum.IsZero ? 0 : Math.Exp(BigInteger.Log(sum) - BigInteger.Log(BigInteger.Pow(b, n)));
    }

    [Theory]
    [InlineData(200, 1, 10)]
    [InlineData(200, 1, 5)]
    [InlineData(200, 1, 2)]
    [InlineData(200, 9, 10)]
    [InlineData(200, 1, 100)]
    [InlineData(50, 1, 4)]
    public void EachTailIsAtMostHalfTheBudgetAndTheBandIsTheNarrowestSuch(int n, int a, int b)
    {
        const double alpha = 1e-4;
        var band = BinomialBand.For(n, (double)a / b, alpha);

        var below = Tail(n, a, b, k => k < band.Low);
        var above = Tail(n, a, b, k => k > band.High);
        Assert.True(below <= alpha / 2, $"P(X < {band.Low}) = {below}");
        Assert.True(above <= alpha / 2, $"P(X > {band.High}) = {above}");
        Assert.True(Tail(n, a, b, k => k < band.Low + 1) > alpha / 2, "the low bound could be higher");
        Assert.True(Tail(n, a, b, k => k > band.High - 1) > alpha / 2, "the high bound could be lower");
        Assert.Equal(below + above, band.FalseFailure, 1e-12);
        Assert.True(Outside(n, a, b, band.Low, band.High) < 1e-4);
    }

    [Fact]
    public void TheCanaryOfTheIssueAcceptsAbout9To32PercentOver200Requests()
    {
        // canaryWeight=20 with faults and timeout: three statistical properties share the 1e-4 budget.
        var band = BinomialBand.For(200, 0.2, 1e-4 / 3);

        Assert.Equal(18, band.Low);
        Assert.Equal(65, band.High);
        Assert.True(band.FalseFailure < 1e-4 / 3);
    }

    [Theory]
    [InlineData(0.0, 0, 0)]
    [InlineData(1.0, 200, 200)]
    public void AtZeroAndOneHundredPercentOnlyTheExactCountPasses(double p, int low, int high)
    {
        var band = BinomialBand.For(200, p, 1e-4);

        Assert.Equal((low, high), (band.Low, band.High));
        Assert.Equal(0, band.FalseFailure);
    }

    [Theory]
    [InlineData(0.1, 0)]
    [InlineData(0.1, 200)]
    [InlineData(0.2, 100)]
    [InlineData(0.5, 40)]
    [InlineData(0.5, 160)]
    [InlineData(0.9, 200)]
    public void AClearlyWrongSplitFallsOutsideTheBand(double p, int observed)
    {
        var band = BinomialBand.For(200, p, 1e-4);

        Assert.False(observed >= band.Low && observed <= band.High, $"{observed} is inside {band.Low}-{band.High}");
    }

    [Fact]
    public void TheBandIsNoWiderThanHoeffdingsDistributionFreeBound()
    {
        // Hoeffding: P(|X/N - p| >= t) <= 2 exp(-2 N t^2); at 1e-4 and N = 200, t = 0.1573.
        var t = Math.Sqrt(Math.Log(2 / 1e-4) / (2 * 200));
        foreach (var p in new[] { 0.05, 0.2, 0.5, 0.8 })
        {
            var band = BinomialBand.For(200, p, 1e-4);
            Assert.True(band.Low >= Math.Floor(200 * (p - t)) && band.High <= Math.Ceiling(200 * (p + t)), $"p = {p}: {band.Low}-{band.High}");
        }
    }

    [Fact]
    public void ThePmfSumsToOneEvenWhereTermsAreTiny()
    {
        foreach (var p in new[] { 0.001, 0.2, 0.999 })
        {
            Assert.Equal(1.0, BinomialBand.Pmf(200, p).Sum(), 9);
        }
    }
}
