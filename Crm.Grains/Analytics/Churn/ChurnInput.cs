using Microsoft.ML.Data;

namespace Crm.Analytics;

/// <summary>
/// A customer as the churn model reads it: the telco data set's account and service fields, with what is derived from
/// them (a blank total charge is what a customer in their first month has been billed: nothing yet).
/// </summary>
public sealed class ChurnInput
{
    /// <summary>The categorical fields, each one-hot encoded.</summary>
    public static readonly string[] Categories =
    [
        nameof(Gender), nameof(Partner), nameof(Dependents), nameof(PhoneService), nameof(MultipleLines), nameof(InternetService),
        nameof(OnlineSecurity), nameof(OnlineBackup), nameof(DeviceProtection), nameof(TechSupport), nameof(StreamingTV),
        nameof(StreamingMovies), nameof(Contract), nameof(PaperlessBilling), nameof(PaymentMethod),
    ];

    /// <summary>The numeric fields, as they are.</summary>
    public static readonly string[] Numbers =
    [
        nameof(SeniorCitizen), nameof(Tenure), nameof(MonthlyCharges), nameof(TotalCharges), nameof(LogTenure), nameof(AverageCharge), nameof(Services),
    ];

    public string CustomerId { get; set; } = "";
    public string Gender { get; set; } = "";
    public float SeniorCitizen { get; set; }
    public string Partner { get; set; } = "";
    public string Dependents { get; set; } = "";
    public float Tenure { get; set; }
    public string PhoneService { get; set; } = "";
    public string MultipleLines { get; set; } = "";
    public string InternetService { get; set; } = "";
    public string OnlineSecurity { get; set; } = "";
    public string OnlineBackup { get; set; } = "";
    public string DeviceProtection { get; set; } = "";
    public string TechSupport { get; set; } = "";
    public string StreamingTV { get; set; } = "";
    public string StreamingMovies { get; set; } = "";
    public string Contract { get; set; } = "";
    public string PaperlessBilling { get; set; } = "";
    public string PaymentMethod { get; set; } = "";
    public float MonthlyCharges { get; set; }
    public float TotalCharges { get; set; }
    /// <summary>Tenure log-scaled: the first months tell more than the fiftieth.</summary>
    public float LogTenure { get; set; }
    /// <summary>Total charges per month of tenure: above the monthly charge when the customer once paid more.</summary>
    public float AverageCharge { get; set; }
    /// <summary>How many of the add-on services the customer has.</summary>
    public float Services { get; set; }
    [ColumnName("Label")]
    public bool Churned { get; set; }

    /// <summary>Fills in what is derived; <paramref name="totalCharges"/> null when the account has not been billed yet.</summary>
    public ChurnInput Derived(float? totalCharges)
    {
        TotalCharges = totalCharges ?? MonthlyCharges * Tenure;
        LogTenure = MathF.Log(1 + Tenure);
        AverageCharge = Tenure > 0 ? TotalCharges / Tenure : MonthlyCharges;
        Services = new[] { PhoneService, MultipleLines, OnlineSecurity, OnlineBackup, DeviceProtection, TechSupport, StreamingTV, StreamingMovies }
            .Count(s => s.Equals("Yes", StringComparison.OrdinalIgnoreCase))
            + (InternetService is "" or "No" ? 0 : 1);
        return this;
    }
}
