from django.shortcuts import render

from clients.records import client_record_open, record_context


def today(request):  # stub: replaced by the attendance work
    return render(request, "_stub.html", {"stub_title": "today"})


def client(request, pk):  # stub: replaced by the attendance work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "attendance"))
