using System.Globalization;
using CsvHelper;

namespace Crm.Analytics;

/// <summary>A row of a file shaped as IBM's Telco Customer Churn data (../shared/data/telco-churn.csv).</summary>
[CsvRecord]
public sealed partial class TelcoCustomer
{
    [CsvColumn("customerID")] public string CustomerId { get; set; } = "";
    [CsvColumn("gender")] public string Gender { get; set; } = "";
    [CsvColumn("SeniorCitizen")] public int SeniorCitizen { get; set; }
    [CsvColumn("Partner")] public string Partner { get; set; } = "";
    [CsvColumn("Dependents")] public string Dependents { get; set; } = "";
    [CsvColumn("tenure")] public int TenureMonths { get; set; }
    [CsvColumn("PhoneService")] public string PhoneService { get; set; } = "";
    [CsvColumn("MultipleLines")] public string MultipleLines { get; set; } = "";
    [CsvColumn("InternetService")] public string InternetService { get; set; } = "";
    [CsvColumn("OnlineSecurity")] public string OnlineSecurity { get; set; } = "";
    [CsvColumn("OnlineBackup")] public string OnlineBackup { get; set; } = "";
    [CsvColumn("DeviceProtection")] public string DeviceProtection { get; set; } = "";
    [CsvColumn("TechSupport")] public string TechSupport { get; set; } = "";
    [CsvColumn("StreamingTV")] public string StreamingTV { get; set; } = "";
    [CsvColumn("StreamingMovies")] public string StreamingMovies { get; set; } = "";
    [CsvColumn("Contract")] public string Contract { get; set; } = "";
    [CsvColumn("PaperlessBilling")] public string PaperlessBilling { get; set; } = "";
    [CsvColumn("PaymentMethod")] public string PaymentMethod { get; set; } = "";
    [CsvColumn("MonthlyCharges")] public decimal MonthlyCharges { get; set; }
    // Blank for customers in their first month: kept as published.
    [CsvColumn("TotalCharges")] public string TotalCharges { get; set; } = "";
    /// <summary>Yes or No; absent from a file of customers to score.</summary>
    [CsvColumn("Churn", Optional = true)] public string Churn { get; set; } = "";

    /// <exception cref="FormatException">TotalCharges is neither blank nor a number.</exception>
    public ChurnInput ToChurnInput() => new ChurnInput
    {
        CustomerId = CustomerId,
        Gender = Gender,
        SeniorCitizen = SeniorCitizen,
        Partner = Partner,
        Dependents = Dependents,
        Tenure = TenureMonths,
        PhoneService = PhoneService,
        MultipleLines = MultipleLines,
        InternetService = InternetService,
        OnlineSecurity = OnlineSecurity,
        OnlineBackup = OnlineBackup,
        DeviceProtection = DeviceProtection,
        TechSupport = TechSupport,
        StreamingTV = StreamingTV,
        StreamingMovies = StreamingMovies,
        Contract = Contract,
        PaperlessBilling = PaperlessBilling,
        PaymentMethod = PaymentMethod,
        MonthlyCharges = (float)MonthlyCharges,
        Churned = Churn.Equals("Yes", StringComparison.OrdinalIgnoreCase),
    }.Derived(string.IsNullOrWhiteSpace(TotalCharges) ? null : float.Parse(TotalCharges, NumberStyles.Float, CultureInfo.InvariantCulture));

    /// <summary>The customers of a file, as the churn model reads them, one at a time.</summary>
    /// <exception cref="InvalidDataException">A row's TotalCharges is not a number (named with its row).</exception>
    public static IEnumerable<ChurnInput> Read(string path)
    {
        using var csv = CsvReader.Create(File.OpenRead(path), Csv.Options);
        var row = 1;
        foreach (var customer in csv.GetRecords<TelcoCustomer>())
        {
            row++;
            ChurnInput input;
            try
            {
                input = customer.ToChurnInput();
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"Row {row}: TotalCharges '{customer.TotalCharges}' is neither blank nor a number.");
            }

            yield return input;
        }
    }
}
