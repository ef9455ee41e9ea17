from django.shortcuts import render

from clients.records import client_record_open, record_context


def due(request):  # stub: replaced by the checkins work
    return render(request, "_stub.html", {"stub_title": "due"})


def client(request, pk):  # stub: replaced by the checkins work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "checkins"))
