from django.shortcuts import render

from clients.records import client_record_open, record_context


def caseload(request):  # stub: replaced by the dashboard work
    return render(request, "_stub.html", {"stub_title": "caseload"})


def progress(request, pk):  # stub: replaced by the dashboard work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "progress"))
