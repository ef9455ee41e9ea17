from django.shortcuts import render

from clients.records import client_record_open, record_context


def progress(request, pk):  # stub: replaced by the progress/decisions work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "progress"))


def decision_new(request, pk):  # stub: replaced by the progress/decisions work
    client = client_record_open(request, pk)
    return render(request, "clients/_record_stub.html", record_context(client, "progress"))
