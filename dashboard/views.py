from django.shortcuts import render


def caseload(request):  # stub: replaced by the dashboard work
    return render(request, "_stub.html", {"stub_title": "caseload"})


def caseload_csv(request):  # stub: replaced by the dashboard work
    return render(request, "_stub.html", {"stub_title": "caseload csv"})
