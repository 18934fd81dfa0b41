namespace IstioLab.Blueprint.Traffic;

/// <summary>
/// How many of <see cref="Trials"/> independent requests may show a property, configured to happen with probability
/// <see cref="Probability"/>, before a check calls the mesh wrong: the counts from <see cref="Low"/> to <see cref="High"/>.
/// </summary>
/// <param name="Trials">N, the requests measured.</param>
/// <param name="Probability">p, the configured share (a weight or a fault percentage over 100).</param>
/// <param name="Low">The smallest count accepted.</param>
/// <param name="High">The largest count accepted.</param>
/// <param name="FalseFailure">The exact probability, under Binomial(N, p), of a count outside the band: how often a correct mesh fails.</param>
public sealed record BinomialBand(int Trials, double Probability, int Low, int High, double FalseFailure)
{
    /// <summary>
    /// The narrowest band with equal tails, each at most <paramref name="alpha"/>/2, from the exact Binomial(N, p)
    /// distribution (no normal approximation): P(X &lt; Low) ≤ α/2 and P(X &gt; High) ≤ α/2, so a correct mesh fails
    /// with probability at most α. At p = 0 and p = 1 the band is the single count 0 or N.
    /// </summary>
    public static BinomialBand For(int trials, double probability, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        if (probability is < 0 or > 1 || double.IsNaN(probability))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability from 0 to 1");
        }

        if (alpha is <= 0 or >= 1 || double.IsNaN(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "a probability between 0 and 1");
        }

        var pmf = Pmf(trials, probability);
        var tail = alpha / 2;

        // Low: the largest k with P(X < k) ≤ α/2; High: the smallest k with P(X > k) ≤ α/2.
        var low = 0;
        var below = 0.0;
        while (low < trials && below + pmf[low] <= tail)
        {
            below += pmf[low];
            low++;
        }

        var high = trials;
        var above = 0.0;
        while (high > 0 && above + pmf[high] <= tail)
        {
            above += pmf[high];
            high--;
        }

        return new BinomialBand(trials, probability, low, high, below + above);
    }

    /// <summary>P(X = k) for k = 0..N, computed in log space so that no term underflows to a wrong value.</summary>
    public static double[] Pmf(int trials, double probability)
    {
        var pmf = new double[trials + 1];
        if (probability == 0 || probability == 1)
        {
            pmf[probability == 0 ? 0 : trials] = 1;
            return pmf;
        }

        var logP = Math.Log(probability);
        var logQ = Math.Log(1 - probability);
        var logChoose = 0.0;
        for (var k = 0; k <= trials; k++)
        {
            if (k > 0)
            {
                logChoose += Math.Log(trials - k + 1) - Math.Log(k);
            }

            pmf[k] = Math.Exp(logChoose + (k * logP) + ((trials - k) * logQ));
        }

        return pmf;
    }

    /// <summary>The band as shares of N, in percent, for people: e.g. "8.5%-32%".</summary>
    public string Percentages => $"{Share(Low)}%-{Share(High)}%";

    private string Share(int count) => Math.Round(100.0 * count / Trials, 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
