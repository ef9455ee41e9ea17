from django.shortcuts import render


def report(request):  # stub: replaced by the program-report work
    return render(request, "_stub.html", {"stub_title": "Program report"})


def report_csv(request):  # stub: replaced by the program-report work
    return render(request, "_stub.html", {"stub_title": "Program report"})
